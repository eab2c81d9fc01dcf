/*
 * ntp-load: a bounded NTP load generator for benchmarks on loopback.
 *
 * Keeps a fixed window of client-mode requests outstanding on each of S UDP sockets,
 * sends and receives in batches (sendmmsg/recvmmsg), and counts the replies that are
 * valid server-mode answers to a request it sent (origin timestamp = our transmit
 * timestamp, each answered at most once). Stops sending after DURATION ms or COUNT
 * requests, whichever comes first, then drains for 100 ms.
 *
 * A request's transmit timestamp carries a per-run magic (upper 32 bits) and its
 * sequence number (lower 32 bits); it is not a time, which servers must not care about.
 * Requests outstanding for more than 50 ms are written off as lost, so the window
 * stays full even when the server drops packets.
 *
 * Usage: ntp-load HOST PORT [-d DURATION_MS] [-n COUNT] [-w WINDOW] [-s SOCKETS]
 * Prints one JSON line: sent, valid, kiss, invalid, duplicate, lost, elapsedMs, rate.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define PKT 48
#define MAX_SOCKETS 64
#define LOSS_TIMEOUT_NS 50000000LL
#define DRAIN_NS 100000000LL

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

struct flow {
  int fd;
  uint32_t outstanding;
  int64_t last_progress;
};

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s HOST PORT [-d DURATION_MS] [-n COUNT] [-w WINDOW] [-s SOCKETS]\n", argv[0]);
    return 2;
  }
  const char *host = argv[1];
  const char *port = argv[2];
  int64_t duration_ms = 5000;
  uint64_t max_count = UINT32_MAX;
  uint32_t window = 256;
  int nsockets = 1;
  for (int i = 3; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "-d")) duration_ms = atoll(argv[i + 1]);
    else if (!strcmp(argv[i], "-n")) max_count = strtoull(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "-w")) window = (uint32_t)atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "-s")) nsockets = atoi(argv[i + 1]);
    else {
      fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (max_count > UINT32_MAX) max_count = UINT32_MAX;
  if (window < 1 || nsockets < 1 || nsockets > MAX_SOCKETS || duration_ms < 1) {
    fprintf(stderr, "bad window, socket count or duration\n");
    return 2;
  }

  struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai;
  int rc = getaddrinfo(host, port, &hints, &ai);
  if (rc != 0) {
    fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rc));
    return 1;
  }

  struct flow flows[MAX_SOCKETS];
  struct pollfd pfds[MAX_SOCKETS];
  for (int s = 0; s < nsockets; s++) {
    int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (fd < 0) die("socket");
    int buf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) die("connect");
    flows[s] = (struct flow){.fd = fd};
    pfds[s] = (struct pollfd){.fd = fd, .events = POLLIN};
  }
  freeaddrinfo(ai);

  /* answered[seq] marks replies already counted (catches duplicates). */
  uint8_t *answered = calloc(max_count < 50000000 ? max_count + 1 : 50000000, 1);
  uint64_t answered_len = max_count < 50000000 ? max_count + 1 : 50000000;
  if (!answered) die("calloc");

  srand((unsigned)(now_ns() ^ getpid()));
  uint32_t magic = ((uint32_t)rand() << 1) ^ (uint32_t)rand();

  static uint8_t txbuf[BATCH][PKT], rxbuf[BATCH][128];
  struct mmsghdr txmsg[BATCH], rxmsg[BATCH];
  struct iovec txiov[BATCH], rxiov[BATCH];
  for (int i = 0; i < BATCH; i++) {
    memset(txbuf[i], 0, PKT);
    txbuf[i][0] = (0 << 6) | (4 << 3) | 3; /* LI 0, VN 4, mode 3 (client) */
    txiov[i] = (struct iovec){txbuf[i], PKT};
    txmsg[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &txiov[i], .msg_iovlen = 1}};
    rxiov[i] = (struct iovec){rxbuf[i], sizeof rxbuf[i]};
  }

  uint64_t sent = 0, valid = 0, kiss = 0, invalid = 0, duplicate = 0, lost = 0;
  const int64_t start = now_ns();
  const int64_t stop_send = start + duration_ms * 1000000LL;
  int64_t send_end = 0;

  for (;;) {
    int64_t t = now_ns();
    int sending = t < stop_send && sent < max_count;
    if (!sending && send_end == 0) send_end = t;
    if (!sending && t >= send_end + DRAIN_NS) break;

    for (int s = 0; s < nsockets && sending; s++) {
      struct flow *f = &flows[s];
      if (f->outstanding > 0 && t - f->last_progress > LOSS_TIMEOUT_NS) {
        lost += f->outstanding;
        f->outstanding = 0;
      }
      while (f->outstanding < window && sent < max_count) {
        uint32_t n = window - f->outstanding;
        if (n > BATCH) n = BATCH;
        if (n > max_count - sent) n = (uint32_t)(max_count - sent);
        for (uint32_t i = 0; i < n; i++) {
          uint32_t seq = (uint32_t)(sent + i);
          uint32_t hi = htonl(magic), lo = htonl(seq);
          memcpy(&txbuf[i][40], &hi, 4);
          memcpy(&txbuf[i][44], &lo, 4);
        }
        int k = sendmmsg(f->fd, txmsg, n, 0);
        if (k < 0) {
          if (errno == EAGAIN || errno == ECONNREFUSED) break;
          die("sendmmsg");
        }
        if (f->outstanding == 0) f->last_progress = t;
        sent += (uint64_t)k;
        f->outstanding += (uint32_t)k;
        if ((uint32_t)k < n) break;
      }
    }

    int ready = poll(pfds, (nfds_t)nsockets, 1);
    if (ready <= 0) continue;
    t = now_ns();
    for (int s = 0; s < nsockets; s++) {
      if (!(pfds[s].revents & (POLLIN | POLLERR))) continue;
      struct flow *f = &flows[s];
      for (;;) {
        for (int i = 0; i < BATCH; i++) {
          rxmsg[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &rxiov[i], .msg_iovlen = 1}};
        }
        int k = recvmmsg(f->fd, rxmsg, BATCH, MSG_DONTWAIT, NULL);
        if (k < 0) {
          if (errno == EAGAIN || errno == EWOULDBLOCK) break;
          if (errno == ECONNREFUSED) continue;
          die("recvmmsg");
        }
        for (int i = 0; i < k; i++) {
          const uint8_t *p = rxbuf[i];
          uint32_t hi, lo;
          if (rxmsg[i].msg_len < PKT || (p[0] & 7) != 4) {
            invalid++;
            continue;
          }
          memcpy(&hi, p + 24, 4);
          memcpy(&lo, p + 28, 4);
          uint32_t seq = ntohl(lo);
          if (ntohl(hi) != magic || seq >= sent) {
            invalid++;
            continue;
          }
          if (seq < answered_len) {
            if (answered[seq]) {
              duplicate++;
              continue;
            }
            answered[seq] = 1;
          }
          if (f->outstanding > 0) f->outstanding--;
          f->last_progress = t;
          if (p[1] == 0) kiss++;
          else valid++;
        }
        if (k < BATCH) break;
      }
    }
  }

  double elapsed_ms = (double)(send_end - start) / 1e6;
  /* The generator's own CPU use over the whole run (incl. drain): well under 100 % means
   * it spent time waiting for the server, i.e. it was not the bottleneck. */
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
  double total_ms = (double)(now_ns() - start) / 1e6;
  printf("{\"sent\":%llu,\"valid\":%llu,\"kiss\":%llu,\"invalid\":%llu,\"duplicate\":%llu,\"lost\":%llu,"
         "\"elapsedMs\":%.1f,\"rate\":%.0f,\"generatorCpuPct\":%.0f}\n",
         (unsigned long long)sent, (unsigned long long)valid, (unsigned long long)kiss,
         (unsigned long long)invalid, (unsigned long long)duplicate, (unsigned long long)lost, elapsed_ms,
         (double)valid / (elapsed_ms / 1e3), 100.0 * cpu_ms / total_ms);
  free(answered);
  return 0;
}
