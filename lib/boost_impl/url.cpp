// Boost.URL compiled once for the whole project (header-only library, one implementation unit).
#include <boost/url/src.hpp>
