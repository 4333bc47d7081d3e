// Node-API surface of the zero-copy engine. Each transfer runs its blocking loop on its own
// thread (not the libuv pool, which a few long transfers would otherwise starve of fs work)
// and reports back through a thread-safe function: coalesced progress, then one completion.
//
//   handle = sendFile(fileFd, socketFd, offset, length, callback)
//   handle = receiveFile(socketFd, fileFd, offset, maxBytes, callback)
//   cancel(handle)
//
// `callback(kind, bytes, errno, syscall, aborted)`: kind 0 = progress, 1 = done.
// The state a transfer thread touches is reference-counted and owned jointly by the thread,
// the thread-safe function and the JS handle, so it outlives whichever goes first (even
// environment teardown at process exit while a transfer still runs).
// Neither descriptor is ever closed here.
#include <napi.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "transfer_loops.h"

namespace {

constexpr int kAbiVersion = 2;

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

int64_t ToInt64(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }

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
  Tsfn tsfn = Tsfn::New(env, info[4].As<Napi::Function>(), "ftpgrid_zero_copy", 0, 1,
                        new JobPtr(job), [](Napi::Env, void*, JobPtr* context) { delete context; });
  Napi::External<JobPtr> handle = Napi::External<JobPtr>::New(
      env, new JobPtr(job), [](Napi::Env, JobPtr* held) { delete held; });
  try {
    std::thread(RunJob, job, tsfn).detach();
  } catch (const std::exception& error) {
    tsfn.Release();
    Napi::Error::New(env, std::string("ftpgrid_zero_copy: cannot start a thread: ") + error.what())
        .ThrowAsJavaScriptException();
    return env.Undefined();
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

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, kAbiVersion));
  exports.Set("sendFile", Napi::Function::New(env, SendFile, "sendFile"));
  exports.Set("receiveFile", Napi::Function::New(env, ReceiveFile, "receiveFile"));
  exports.Set("cancel", Napi::Function::New(env, Cancel, "cancel"));
  return exports;
}

}  // namespace

NODE_API_MODULE(ftpgrid_zero_copy, Init)
