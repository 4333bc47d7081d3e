// Blocking transfer loops run on a dedicated thread. They never close the descriptors they
// are given, wait on the non-blocking socket with poll() and re-check the cancel flag at
// least every kPollIntervalMs so an abort is noticed promptly.
#ifndef FTPGRID_TRANSFER_LOOPS_H
#define FTPGRID_TRANSFER_LOOPS_H

#include <atomic>
#include <cstdint>
#include <functional>

namespace ftpgrid {

constexpr int kPollIntervalMs = 50;

struct LoopResult {
  int64_t bytes = 0;
  int error = 0;            // errno of the failing call, 0 on success
  const char* syscall = ""; // name of the failing call
  bool aborted = false;
};

struct LoopControl {
  const std::atomic<int32_t>* cancel;        // non-zero once the caller aborted
  std::function<void(int64_t)> onProgress;   // called from the loop thread, throttled
};

// sendfile(2) from fileFd at offset to socketFd. length < 0: until end of file.
LoopResult SendFileLoop(int fileFd, int socketFd, int64_t offset, int64_t length,
                        const LoopControl& control);

// splice(2) socketFd -> pipe -> fileFd at offset (offset < 0: at the file position, which
// is what O_APPEND descriptors need). maxBytes < 0: until end of stream.
LoopResult ReceiveFileLoop(int socketFd, int fileFd, int64_t offset, int64_t maxBytes,
                           const LoopControl& control);

}  // namespace ftpgrid

#endif
