#pragma once
// Crash points for the crash-and-restart tests (faults.md F1-F11). In the test build
// (COPYTRADER_TEST_HOOKS), COPYTRADER_CRASH_AT=<point> makes the process kill itself with SIGKILL
// the first time it reaches that point, as a power cut would. A release build has no crash points.

#include <string_view>

namespace copytrader {

#ifdef COPYTRADER_TEST_HOOKS
void crash_point(std::string_view point);
#else
inline void crash_point(std::string_view /*point*/) {}
#endif

} // namespace copytrader
