// Node-API surface of the zero-copy engine. Transfers run their blocking loops on a small
// bounded pool of threads of the addon's own (not libuv's pool, which a few long transfers
// would otherwise starve of fs work; and not a new thread per call, which cost a thread
// start per small file and about 20 a second for a throttled transfer). At most kMaxWorkers
// blocking calls run at once; later ones wait in a queue, and `busy()` tells the JS side
// when the pool is full so it can stream instead of queueing. Each reports back through a
// thread-safe function: coalesced progress, then one completion.
//
//   handle = sendFile(fileFd, socketFd, offset, length, callback)
//   handle = receiveFile(socketFd, fileFd, offset, maxBytes, callback)
//   cancel(handle)
//   busy() -> true when every worker runs a transfer
//   poolSize -> kMaxWorkers
//
// `callback(kind, bytes, errno, syscall, aborted)`: kind 0 = progress, 1 = done.
// The state a transfer thread touches is reference-counted and owned jointly by the thread,
// the thread-safe function and the JS handle, so it outlives whichever goes first (even
// environment teardown at process exit while a transfer still runs).
// Neither descriptor is ever closed here.
#include <napi.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>

#include "transfer_loops.h"

namespace {

constexpr int kAbiVersion = 3;
// Enough for many concurrent zero-copy transfers; each idle worker costs a parked thread.
constexpr int kMaxWorkers = 16;

struct Job {
  bool receive = false;
  int fileFd = -1;
  int socketFd = -1;
  int64_t offset = 0;
  int64_t limit = -1;
  std::atomic<int32_t> cancel{0};
  std::atomic<int64_t> progressBytes{0};
  std::atomic<bool> progressQueued{false};
  ftpgrid::LoopResult result;  // written by the thread before it queues the completion
};

using JobPtr = std::shared_ptr<Job>;

struct Message {
  bool done;
};

void CallJs(Napi::Env env, Napi::Function callback, JobPtr* context, Message* message) {
  bool done = message->done;
  delete message;
  if (env == nullptr || callback.IsEmpty()) return;
  Job& job = **context;
  if (!done) {
    job.progressQueued.store(false, std::memory_order_release);
    callback.Call({Napi::Number::New(env, 0),
                   Napi::Number::New(env, static_cast<double>(job.progressBytes.load()))});
    return;
  }
  const ftpgrid::LoopResult& r = job.result;
  callback.Call({Napi::Number::New(env, 1), Napi::Number::New(env, static_cast<double>(r.bytes)),
                 Napi::Number::New(env, r.error), Napi::String::New(env, r.syscall),
                 Napi::Boolean::New(env, r.aborted)});
}

using Tsfn = Napi::TypedThreadSafeFunction<JobPtr, Message, CallJs>;

void RunJob(JobPtr job, Tsfn tsfn) {
  ftpgrid::LoopControl control;
  control.cancel = &job->cancel;
  control.onProgress = [&job, &tsfn](int64_t bytes) {
    job->progressBytes.store(bytes, std::memory_order_release);
    // One queued progress message at a time: the JS side reads the latest count anyway.
    if (!job->progressQueued.exchange(true, std::memory_order_acq_rel)) {
      Message* message = new Message{false};
      if (tsfn.NonBlockingCall(message) != napi_ok) delete message;
    }
  };
  job->result = job->receive
                    ? ftpgrid::ReceiveFileLoop(job->socketFd, job->fileFd, job->offset,
                                               job->limit, control)
                    : ftpgrid::SendFileLoop(job->fileFd, job->socketFd, job->offset,
                                            job->limit, control);
  Message* done = new Message{true};
  if (tsfn.BlockingCall(done) != napi_ok) delete done;  // the environment is going away
  tsfn.Release();
}

// A fixed-size pool, grown on demand up to kMaxWorkers and never shrunk: workers park on a
// condition variable between jobs. Process-wide (shared by every environment, e.g. worker
// threads); a queued job owns what it touches, so an environment going away is harmless.
class Pool {
 public:
  // Queues `task`; starts a worker if all are busy and the cap allows. False when no worker
  // exists and none could be started (the caller reports it; nothing was queued).
  bool Submit(std::function<void()> task) {
    std::unique_lock<std::mutex> lock(mutex_);
    queue_.push_back(std::move(task));
    running_++;
    if (idle_ == 0 && workers_ < kMaxWorkers) {
      try {
        std::thread([this] { Work(); }).detach();
        workers_++;
      } catch (const std::system_error&) {
        if (workers_ == 0) {
          queue_.pop_back();
          running_--;
          return false;
        }
      }
    }
    lock.unlock();
    ready_.notify_one();
    return true;
  }

  // True when every worker runs a job (or the queue is not empty): a new job would wait.
  bool Busy() {
    std::lock_guard<std::mutex> lock(mutex_);
    return running_ >= kMaxWorkers;
  }

 private:
  void Work() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      idle_++;
      ready_.wait(lock, [this] { return !queue_.empty(); });
      idle_--;
      std::function<void()> task = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      task();
      lock.lock();
      running_--;
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  int workers_ = 0;
  int idle_ = 0;
  int running_ = 0;  // jobs submitted and not finished (queued or running)
};

// Never destroyed: detached workers may still park on it while the process exits.
Pool& ThePool() {
  static Pool* pool = new Pool();
  return *pool;
}

int64_t ToInt64(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }

// Throws a JS Error with a stable `code` (the JS side maps it to a ZeroCopyError).
Napi::Value ThrowCoded(Napi::Env env, const char* code, const std::string& message) {
  if (env.IsExceptionPending()) {
    // An N-API call already threw: keep its message, add our code.
    Napi::Error pending = env.GetAndClearPendingException();
    Napi::Error error = Napi::Error::New(env, message + ": " + pending.Message());
    error.Set("code", Napi::String::New(env, code));
    error.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value Start(const Napi::CallbackInfo& info, bool receive) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber() ||
      !info[3].IsNumber() || !info[4].IsFunction()) {
    Napi::TypeError::New(env, "ftpgrid_zero_copy: bad arguments").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  JobPtr job = std::make_shared<Job>();
  job->receive = receive;
  // Argument order mirrors the JS contract: the source descriptor comes first.
  job->fileFd = static_cast<int>(ToInt64(info[receive ? 1 : 0]));
  job->socketFd = static_cast<int>(ToInt64(info[receive ? 0 : 1]));
  job->offset = ToInt64(info[2]);
  job->limit = ToInt64(info[3]);
  JobPtr* context = new JobPtr(job);
  Tsfn tsfn = Tsfn::New(env, info[4].As<Napi::Function>(), "ftpgrid_zero_copy", 0, 1, context,
                        [](Napi::Env, void*, JobPtr* held) { delete held; });
  // With C++ exceptions off, a failed napi_create_threadsafe_function leaves a pending JS
  // exception and an empty function (and never runs the finalizer).
  if (env.IsExceptionPending()) {
    delete context;
    return ThrowCoded(env, "ERR_ZERO_COPY_START", "ftpgrid_zero_copy: cannot create the completion callback");
  }
  Napi::External<JobPtr> handle = Napi::External<JobPtr>::New(
      env, new JobPtr(job), [](Napi::Env, JobPtr* held) { delete held; });
  if (env.IsExceptionPending()) {
    tsfn.Release();
    return ThrowCoded(env, "ERR_ZERO_COPY_START", "ftpgrid_zero_copy: cannot create the transfer handle");
  }
  if (!ThePool().Submit([job, tsfn]() { RunJob(job, tsfn); })) {
    tsfn.Release();
    return ThrowCoded(env, "ERR_ZERO_COPY_START", "ftpgrid_zero_copy: cannot start a worker thread");
  }
  return handle;
}

Napi::Value SendFile(const Napi::CallbackInfo& info) { return Start(info, false); }
Napi::Value ReceiveFile(const Napi::CallbackInfo& info) { return Start(info, true); }

Napi::Value Cancel(const Napi::CallbackInfo& info) {
  if (info.Length() >= 1 && info[0].IsExternal()) {
    JobPtr* job = info[0].As<Napi::External<JobPtr>>().Data();
    if (job != nullptr && *job) (*job)->cancel.store(1, std::memory_order_release);
  }
  return info.Env().Undefined();
}

Napi::Value Busy(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), ThePool().Busy());
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, kAbiVersion));
  exports.Set("poolSize", Napi::Number::New(env, kMaxWorkers));
  exports.Set("busy", Napi::Function::New(env, Busy, "busy"));
  exports.Set("sendFile", Napi::Function::New(env, SendFile, "sendFile"));
  exports.Set("receiveFile", Napi::Function::New(env, ReceiveFile, "receiveFile"));
  exports.Set("cancel", Napi::Function::New(env, Cancel, "cancel"));
  return exports;
}

}  // namespace

NODE_API_MODULE(ftpgrid_zero_copy, Init)
