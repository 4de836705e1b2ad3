#include "core/clock.h"

#include <thread>

namespace adminauto {

std::chrono::system_clock::time_point SystemClock::Now() const {
  return std::chrono::system_clock::now();
}

void SystemClock::SleepFor(std::chrono::milliseconds duration) {
  std::this_thread::sleep_for(duration);
}

SystemClock& SystemClock::Instance() {
  static SystemClock clock;
  return clock;
}

std::chrono::system_clock::time_point FakeClock::Now() const {
  std::lock_guard lock(mu_);
  return now_;
}

void FakeClock::SleepFor(std::chrono::milliseconds duration) {
  std::lock_guard lock(mu_);
  now_ += duration;
  slept_ += duration;
}

void FakeClock::Advance(std::chrono::milliseconds duration) {
  std::lock_guard lock(mu_);
  now_ += duration;
}

std::chrono::milliseconds FakeClock::slept() const {
  std::lock_guard lock(mu_);
  return slept_;
}

}  // namespace adminauto
