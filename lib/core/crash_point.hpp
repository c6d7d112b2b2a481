#pragma once
// Crash points for the crash-and-restart tests (faults.md F1-F11). In the test build
// (COPYTRADER_TEST_HOOKS), COPYTRADER_CRASH_AT=<point> makes the process kill itself with SIGKILL
// the first time it reaches that point, as a power cut would. A release build has no crash points.

#include <string_view>

namespace copytrader {

// Fail points, for the failure policy's tests: COPYTRADER_FAIL_AT=<point> makes the code throw
// std::runtime_error the first time it reaches that point, once the file COPYTRADER_FAIL_FLAG names
// exists (at once when that is unset). Read at each call: an in-process test arms and disarms it.
// Stop points, for the tests of a stop during start-up: COPYTRADER_STOP_AT=<point> sends the process
// SIGTERM the first time it reaches that point, as a `systemctl stop` arriving at that moment would.
#ifdef COPYTRADER_TEST_HOOKS
void crash_point(std::string_view point);
void fail_point(std::string_view point);
void stop_point(std::string_view point);
#else
inline void crash_point(std::string_view /*point*/) {}
inline void fail_point(std::string_view /*point*/) {}
inline void stop_point(std::string_view /*point*/) {}
#endif

} // namespace copytrader
