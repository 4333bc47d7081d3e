#include "transfer_loops.h"

#include <cerrno>
#include <chrono>

#if defined(__linux__)
#include <fcntl.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <unistd.h>
#endif

namespace ftpgrid {

namespace {

// Big enough to amortise syscalls, small enough that a cancel is seen between calls even
// when the page cache misses and the kernel has to read the disk.
constexpr int64_t kChunk = 8 * 1024 * 1024;
constexpr int kPipeSize = 1024 * 1024;
constexpr auto kProgressEvery = std::chrono::milliseconds(100);

bool Cancelled(const LoopControl& control) {
  return control.cancel->load(std::memory_order_acquire) != 0;
}

class ProgressClock {
 public:
  explicit ProgressClock(const LoopControl& control)
      : control_(control), last_(std::chrono::steady_clock::now()) {}
  void Tick(int64_t bytes) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_ >= kProgressEvery) {
      last_ = now;
      if (control_.onProgress) control_.onProgress(bytes);
    }
  }

 private:
  const LoopControl& control_;
  std::chrono::steady_clock::time_point last_;
};

#if defined(__linux__)
// Waits until the socket is ready for `events`, or the poll interval elapses. Socket errors
// and hang-ups are left for the next transfer call to report with its own errno.
int WaitSocket(int fd, short events) {
  struct pollfd p = {fd, events, 0};
  int r = poll(&p, 1, kPollIntervalMs);
  if (r < 0 && errno != EINTR) return errno;
  return 0;
}

LoopResult Fail(LoopResult r, int error, const char* syscall) {
  r.error = error;
  r.syscall = syscall;
  return r;
}
#endif

}  // namespace

#if defined(__linux__)

LoopResult SendFileLoop(int fileFd, int socketFd, int64_t offset, int64_t length,
                        const LoopControl& control) {
  LoopResult result;
  ProgressClock progress(control);
  off_t position = static_cast<off_t>(offset);
  while (length < 0 || result.bytes < length) {
    if (Cancelled(control)) {
      result.aborted = true;
      return result;
    }
    int64_t want = length < 0 ? kChunk : length - result.bytes;
    if (want > kChunk) want = kChunk;
    ssize_t n = sendfile(socketFd, fileFd, &position, static_cast<size_t>(want));
    if (n > 0) {
      result.bytes += n;
      progress.Tick(result.bytes);
      continue;
    }
    if (n == 0) return result;  // end of file came before `length` bytes
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      int err = WaitSocket(socketFd, POLLOUT);
      if (err != 0) return Fail(result, err, "poll");
      continue;
    }
    return Fail(result, errno, "sendfile");
  }
  return result;
}

namespace {

// Moves `count` bytes out of the pipe into the file. Splicing into an O_APPEND descriptor
// is refused by the kernel (EINVAL), so that case, and only that case, copies through a
// buffer instead; `copyMode` remembers the switch for the rest of the transfer.
int DrainPipe(int pipeRead, int fileFd, int64_t* offset, int64_t count, bool* copyMode,
              const char** syscall) {
  static thread_local char buffer[256 * 1024];
  while (count > 0) {
    if (!*copyMode) {
      loff_t pos = static_cast<loff_t>(*offset);
      ssize_t m = splice(pipeRead, nullptr, fileFd, *offset < 0 ? nullptr : &pos,
                         static_cast<size_t>(count), SPLICE_F_MOVE);
      if (m > 0) {
        if (*offset >= 0) *offset += m;
        count -= m;
        continue;
      }
      if (m < 0 && errno == EINTR) continue;
      if (m < 0 && errno == EINVAL) {
        *copyMode = true;
        continue;
      }
      *syscall = "splice";
      return m == 0 ? EIO : errno;
    }
    size_t want = count < static_cast<int64_t>(sizeof buffer) ? static_cast<size_t>(count)
                                                               : sizeof buffer;
    ssize_t got = read(pipeRead, buffer, want);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      *syscall = "read";
      return got == 0 ? EIO : errno;
    }
    ssize_t done = 0;
    while (done < got) {
      ssize_t w = *offset < 0 ? write(fileFd, buffer + done, got - done)
                              : pwrite(fileFd, buffer + done, got - done, *offset);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        *syscall = "write";
        return w == 0 ? EIO : errno;
      }
      done += w;
      if (*offset >= 0) *offset += w;
    }
    count -= got;
  }
  return 0;
}

}  // namespace

LoopResult ReceiveFileLoop(int socketFd, int fileFd, int64_t offset, int64_t maxBytes,
                           const LoopControl& control) {
  LoopResult result;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Fail(result, errno, "pipe2");
  // Best effort: a larger pipe means fewer round trips; the default 64 KiB still works.
  (void)fcntl(fds[1], F_SETPIPE_SZ, kPipeSize);
  ProgressClock progress(control);
  bool copyMode = false;
  int64_t position = offset;
  while (maxBytes < 0 || result.bytes < maxBytes) {
    if (Cancelled(control)) {
      result.aborted = true;
      break;
    }
    int64_t want = maxBytes < 0 ? kPipeSize : maxBytes - result.bytes;
    if (want > kPipeSize) want = kPipeSize;
    ssize_t n = splice(socketFd, nullptr, fds[1], nullptr, static_cast<size_t>(want),
                       SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (n == 0) break;  // the peer finished sending
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        int err = WaitSocket(socketFd, POLLIN);
        if (err != 0) {
          result = Fail(result, err, "poll");
          break;
        }
        continue;
      }
      result = Fail(result, errno, "splice");
      break;
    }
    const char* syscall = "";
    int err = DrainPipe(fds[0], fileFd, &position, n, &copyMode, &syscall);
    if (err != 0) {
      result = Fail(result, err, syscall);
      break;
    }
    result.bytes += n;
    progress.Tick(result.bytes);
  }
  close(fds[0]);
  close(fds[1]);
  return result;
}

#else

LoopResult SendFileLoop(int, int, int64_t, int64_t, const LoopControl&) {
  LoopResult r;
  r.error = ENOSYS;
  r.syscall = "sendfile";
  return r;
}

LoopResult ReceiveFileLoop(int, int, int64_t, int64_t, const LoopControl&) {
  LoopResult r;
  r.error = ENOSYS;
  r.syscall = "splice";
  return r;
}

#endif

}  // namespace ftpgrid
