// Injectable time source. Code that reads the time or waits takes a Clock&, so schedules,
// retries, expiry and rotation are tested with FakeClock and without sleeping.
#pragma once

#include <chrono>
#include <mutex>

namespace adminauto {

class Clock {
 public:
  virtual ~Clock() = default;
  // Current UTC time. Thread-safe.
  virtual std::chrono::system_clock::time_point Now() const = 0;
  // Blocks the calling thread for `duration` of this clock's time. Thread-safe.
  virtual void SleepFor(std::chrono::milliseconds duration) = 0;
};

// The real clock. One process-wide instance is enough.
class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override;
  void SleepFor(std::chrono::milliseconds duration) override;
  static SystemClock& Instance();
};

// A clock for tests: time moves only through Advance() and SleepFor(), which returns at once.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point start) : now_(start) {}
  std::chrono::system_clock::time_point Now() const override;
  void SleepFor(std::chrono::milliseconds duration) override;
  void Advance(std::chrono::milliseconds duration);
  // Total time spent in SleepFor since construction.
  std::chrono::milliseconds slept() const;

 private:
  mutable std::mutex mu_;
  std::chrono::system_clock::time_point now_;
  std::chrono::milliseconds slept_{0};
};

}  // namespace adminauto
