/*
 * The batching estimate for the underlay benchmark (bench/underlay.ts), and a fast UDP generator for the
 * kernel VXLAN measurement: per-core UDP send and receive rates on loopback with one system call per
 * datagram (sendto/recvfrom, what Node's dgram does) and with one per batch (sendmmsg/recvmmsg, what a
 * native addon would add). Not part of the agent: compiled by the bench into a scratch directory.
 *
 *   mmsg send <ip> <port> <bytes> <seconds> <batch>   -> {"packets":N,"cpuUs":C,"wallUs":W}
 *   mmsg recv <ip> <port> <seconds> <batch>           -> the same (counted from the first datagram; it
 *                                                        drains a backlog every 1 ms)
 *
 * batch 1 uses sendto/recvfrom; batch > 1 uses sendmmsg/recvmmsg with that many datagrams per call.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 256
#define MAX_BYTES 2048

static long long now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static long long cpu_us(void) {
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  return (long long)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1000000 + r.ru_utime.tv_usec + r.ru_stime.tv_usec;
}

static int usage(void) {
  fprintf(stderr, "usage: mmsg send <ip> <port> <bytes> <seconds> <batch> | mmsg recv <ip> <port> <seconds> <batch>\n");
  return 2;
}

static unsigned char bufs[MAX_BATCH][MAX_BYTES];
static struct mmsghdr msgs[MAX_BATCH];
static struct iovec iovs[MAX_BATCH];

int main(int argc, char **argv) {
  if (argc < 6) return usage();
  int sending = strcmp(argv[1], "send") == 0;
  if (!sending && strcmp(argv[1], "recv") != 0) return usage();
  if (sending && argc < 7) return usage();
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)atoi(argv[3]));
  if (inet_pton(AF_INET, argv[2], &addr.sin_addr) != 1) return usage();
  int bytes = sending ? atoi(argv[4]) : MAX_BYTES;
  double seconds = atof(argv[sending ? 5 : 4]);
  int batch = atoi(argv[sending ? 6 : 5]);
  if (bytes < 1 || bytes > MAX_BYTES || batch < 1 || batch > MAX_BATCH || seconds <= 0) return usage();

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) { perror("socket"); return 1; }
  int rcvbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  for (int i = 0; i < batch; i++) {
    memset(bufs[i], 0x5a, MAX_BYTES);
    iovs[i].iov_base = bufs[i];
    iovs[i].iov_len = (size_t)bytes;
    memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].msg_hdr.msg_iov = &iovs[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    if (sending) {
      msgs[i].msg_hdr.msg_name = &addr;
      msgs[i].msg_hdr.msg_namelen = sizeof addr;
    }
  }
  long long packets = 0;
  long long t0, c0, deadline;
  if (sending) {
    t0 = now_us();
    c0 = cpu_us();
    deadline = t0 + (long long)(seconds * 1e6);
    while (now_us() < deadline) {
      for (int k = 0; k < 64; k++) {
        if (batch == 1) {
          if (sendto(fd, bufs[0], (size_t)bytes, 0, (struct sockaddr *)&addr, sizeof addr) == bytes) packets++;
        } else {
          int n = sendmmsg(fd, msgs, (unsigned)batch, 0);
          if (n > 0) packets += n;
        }
      }
    }
  } else {
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("bind"); return 1; }
    printf("{\"ready\":true}\n");
    fflush(stdout);
    struct pollfd p = {fd, POLLIN, 0};
    /* Wait (at most 10 s) for the first datagram, then count for `seconds`. */
    if (poll(&p, 1, 10000) <= 0) { fprintf(stderr, "mmsg: nothing received\n"); return 1; }
    t0 = now_us();
    c0 = cpu_us();
    deadline = t0 + (long long)(seconds * 1e6);
    /* The receiver sleeps 1 ms, then drains the queue until it would block: it always meets a backlog,
     * as a saturated forwarder does, so the CPU per datagram is the cost of reading it and not of waking. */
    struct timespec nap = {0, 1000000};
    while (now_us() < deadline) {
      nanosleep(&nap, NULL);
      for (;;) {
        if (batch == 1) {
          if (recvfrom(fd, bufs[0], MAX_BYTES, MSG_DONTWAIT, NULL, NULL) <= 0) break;
          packets++;
        } else {
          for (int i = 0; i < batch; i++) iovs[i].iov_len = MAX_BYTES;
          int n = recvmmsg(fd, msgs, (unsigned)batch, MSG_DONTWAIT, NULL);
          if (n <= 0) break;
          packets += n;
        }
      }
    }
  }
  printf("{\"packets\":%lld,\"cpuUs\":%lld,\"wallUs\":%lld}\n", packets, cpu_us() - c0, now_us() - t0);
  close(fd);
  return 0;
}
