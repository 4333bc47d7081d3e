// Node-API surface of the zero-copy engine. Each transfer runs its blocking loop on its own
// thread (not the libuv pool, which a few long transfers would otherwise starve of fs work)
// and reports back through a thread-safe function: coalesced progress, then one completion.
//
//   sendFile(fileFd, socketFd, offset, length, cancel, callback)
//   receiveFile(socketFd, fileFd, offset, maxBytes, cancel, callback)
//
// `cancel` is an Int32Array over a SharedArrayBuffer; JS stores 1 into it to abort.
// `callback(kind, bytes, errno, syscall, aborted)`: kind 0 = progress, 1 = done.
// Neither descriptor is ever closed here.
#include <napi.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "transfer_loops.h"

namespace {

constexpr int kAbiVersion = 1;

struct Job {
  bool receive = false;
  int fileFd = -1;
  int socketFd = -1;
  int64_t offset = 0;
  int64_t limit = -1;
  int32_t* cancel = nullptr;
  Napi::Reference<Napi::Int32Array> cancelRef;  // keeps the flag's memory alive
  std::atomic<int64_t> progressBytes{0};
  std::atomic<bool> progressQueued{false};
  ftpgrid::LoopResult result;
};

struct Message {
  bool done;
};

void CallJs(Napi::Env env, Napi::Function callback, Job* job, Message* message) {
  bool done = message->done;
  delete message;
  if (env == nullptr || callback.IsEmpty()) return;
  if (!done) {
    job->progressQueued.store(false, std::memory_order_release);
    callback.Call({Napi::Number::New(env, 0),
                   Napi::Number::New(env, static_cast<double>(job->progressBytes.load()))});
    return;
  }
  const ftpgrid::LoopResult& r = job->result;
  callback.Call({Napi::Number::New(env, 1), Napi::Number::New(env, static_cast<double>(r.bytes)),
                 Napi::Number::New(env, r.error), Napi::String::New(env, r.syscall),
                 Napi::Boolean::New(env, r.aborted)});
}

using Tsfn = Napi::TypedThreadSafeFunction<Job, Message, CallJs>;

void RunJob(Job* job, Tsfn tsfn) {
  ftpgrid::LoopControl control;
  control.cancel = job->cancel;
  control.onProgress = [job, &tsfn](int64_t bytes) {
    job->progressBytes.store(bytes, std::memory_order_release);
    // One queued progress message at a time: the JS side reads the latest count anyway.
    if (!job->progressQueued.exchange(true, std::memory_order_acq_rel)) {
      tsfn.NonBlockingCall(new Message{false});
    }
  };
  job->result = job->receive
                    ? ftpgrid::ReceiveFileLoop(job->socketFd, job->fileFd, job->offset,
                                               job->limit, control)
                    : ftpgrid::SendFileLoop(job->fileFd, job->socketFd, job->offset,
                                            job->limit, control);
  tsfn.BlockingCall(new Message{true});
  tsfn.Release();
}

int64_t ToInt64(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }

Napi::Value Start(const Napi::CallbackInfo& info, bool receive) {
  Napi::Env env = info.Env();
  if (info.Length() < 6 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber() ||
      !info[3].IsNumber() || !info[4].IsTypedArray() || !info[5].IsFunction()) {
    Napi::TypeError::New(env, "ftpgrid_zero_copy: bad arguments").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::TypedArray typed = info[4].As<Napi::TypedArray>();
  if (typed.TypedArrayType() != napi_int32_array || typed.ElementLength() < 1) {
    Napi::TypeError::New(env, "ftpgrid_zero_copy: cancel must be an Int32Array")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Int32Array flag = info[4].As<Napi::Int32Array>();
  Job* job = new Job();
  job->receive = receive;
  // Argument order mirrors the JS contract: the source descriptor comes first.
  job->fileFd = static_cast<int>(ToInt64(info[receive ? 1 : 0]));
  job->socketFd = static_cast<int>(ToInt64(info[receive ? 0 : 1]));
  job->offset = ToInt64(info[2]);
  job->limit = ToInt64(info[3]);
  job->cancel = flag.Data();
  job->cancelRef = Napi::Persistent(flag);
  Tsfn tsfn = Tsfn::New(env, info[5].As<Napi::Function>(), "ftpgrid_zero_copy", 0, 1, job,
                        [](Napi::Env, void*, Job* finished) {
                          finished->cancelRef.Reset();
                          delete finished;
                        });
  std::thread(RunJob, job, tsfn).detach();
  return env.Undefined();
}

Napi::Value SendFile(const Napi::CallbackInfo& info) { return Start(info, false); }
Napi::Value ReceiveFile(const Napi::CallbackInfo& info) { return Start(info, true); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, kAbiVersion));
  exports.Set("sendFile", Napi::Function::New(env, SendFile, "sendFile"));
  exports.Set("receiveFile", Napi::Function::New(env, ReceiveFile, "receiveFile"));
  return exports;
}

}  // namespace

NODE_API_MODULE(ftpgrid_zero_copy, Init)
