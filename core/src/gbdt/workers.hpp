// A small fixed pool that runs "task i for i in [0, n)" jobs. Training issues one job
// per tree split (tens of thousands per model), so the threads are kept alive and spin
// briefly before sleeping: starting a std::thread per job would cost more than the job.
//
// Each task runs start to finish on one thread. Callers give each task its own output
// (one feature's histogram), which is what keeps results bit-identical for any count.
//
// A job waits only for its tasks, never for every worker to show up: on a busy machine a
// descheduled worker would otherwise stall each of those thousands of jobs.
#pragma once
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace fc::gbdt::detail {

class Workers {
 public:
  // threads: total threads including the caller's; <= 1 runs everything inline.
  explicit Workers(int threads) {
#ifndef __EMSCRIPTEN__
    for (int i = 1; i < threads; ++i) threads_.emplace_back([this] { loop(); });
#else
    (void)threads;  // the wasm build has no pthreads
#endif
  }
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;
  ~Workers() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  size_t size() const {
    return threads_.size() + 1;
  }

  // Runs fn(i) for every i in [0, n) and returns when all are done.
  void run(size_t n, const std::function<void(size_t)>& fn) {
    if (threads_.empty() || n <= 1) {
      for (size_t i = 0; i < n; ++i) fn(i);
      return;
    }
    for (size_t begin = 0; begin < n; begin += kMaxTasks) {
      const size_t count = std::min(n - begin, kMaxTasks);
      if (begin == 0 && count == n) {
        run_batch(count, fn);
      } else {
        const std::function<void(size_t)> shifted = [&](size_t i) { fn(begin + i); };
        run_batch(count, shifted);
      }
    }
  }

 private:
  // The ticket packs generation, task count and next task into one atomic word, so a
  // worker that wakes late can never claim a task of a job that has already moved on.
  static constexpr int kIndexBits = 20;
  static constexpr size_t kMaxTasks = (size_t{1} << kIndexBits) - 1;
  static constexpr uint64_t kIndexMask = (uint64_t{1} << kIndexBits) - 1;
  static constexpr int kSpin = 20000;

  static uint64_t generation_of(uint64_t t) {
    return t >> (2 * kIndexBits);
  }
  static uint64_t count_of(uint64_t t) {
    return (t >> kIndexBits) & kIndexMask;
  }

  static void relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }

  void run_batch(size_t count, const std::function<void(size_t)>& fn) {
    job_ = &fn;
    done_.store(0, std::memory_order_relaxed);
    // Never 0 (a fresh worker's "seen"), and small enough to fit the ticket.
    generation_ = generation_ % ((uint64_t{1} << (64 - 2 * kIndexBits)) - 1) + 1;
    const uint64_t ticket = (generation_ << (2 * kIndexBits)) | (uint64_t{count} << kIndexBits);
    ticket_.store(ticket, std::memory_order_release);
    {
      std::lock_guard<std::mutex> lock(mu_);
      published_ = generation_;
    }
    wake_.notify_all();
    drain(generation_);
    for (int spin = 0; spin < kSpin && done_.load(std::memory_order_acquire) != count; ++spin) {
      relax();
    }
    if (done_.load(std::memory_order_acquire) != count) {
      std::unique_lock<std::mutex> lock(mu_);
      finished_.wait(lock, [&] { return done_.load(std::memory_order_acquire) == count; });
    }
  }

  // Claims and runs tasks of job `generation` until none are left.
  void drain(uint64_t generation) {
    uint64_t t = ticket_.load(std::memory_order_acquire);
    for (;;) {
      if (generation_of(t) != generation) return;
      const uint64_t count = count_of(t), index = t & kIndexMask;
      if (index >= count) return;
      if (!ticket_.compare_exchange_weak(t, t + 1, std::memory_order_acq_rel,
                                         std::memory_order_acquire)) {
        continue;
      }
      // Holding an unfinished task of this job, so job_ cannot change under us.
      (*job_)(static_cast<size_t>(index));
      if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == count) {
        std::lock_guard<std::mutex> lock(mu_);
        finished_.notify_all();
      }
      t = ticket_.load(std::memory_order_acquire);
    }
  }

  void loop() {
    uint64_t seen = 0;
    for (;;) {
      uint64_t g = generation_of(ticket_.load(std::memory_order_acquire));
      for (int spin = 0; spin < kSpin && g == seen; ++spin) {
        relax();
        g = generation_of(ticket_.load(std::memory_order_acquire));
      }
      if (g == seen) {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [&] { return stop_ || published_ != seen; });
        if (stop_) return;
        g = published_;
      }
      seen = g;
      drain(g);
    }
  }

  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable wake_, finished_;
  std::atomic<uint64_t> ticket_{0};
  std::atomic<uint64_t> done_{0};
  uint64_t generation_ = 0;  // the caller's count of jobs started
  uint64_t published_ = 0;   // under mu_: the newest job workers may sleep through
  bool stop_ = false;        // under mu_
  const std::function<void(size_t)>* job_ = nullptr;
};

}  // namespace fc::gbdt::detail
