// Boost.JSON compiled once for the whole project (header-only library, one implementation unit).
#include <boost/json/src.hpp>
