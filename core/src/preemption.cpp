#include "skelaug/core/preemption.h"

#include <fmt/format.h>

#include <csignal>
#include <mutex>

namespace skelaug::core {
namespace {

volatile std::sig_atomic_t g_signal = 0;
std::mutex g_mutex;  // guards are made and ended on any thread
int g_guards = 0;
struct sigaction g_previous_term;
struct sigaction g_previous_usr1;

extern "C" void record_signal(int number) { g_signal = number; }

}  // namespace

PreemptionFlag::PreemptionFlag() {
  const std::lock_guard<std::mutex> lock(g_mutex);
  if (g_guards++ > 0) return;
  g_signal = 0;
  struct sigaction action {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, &g_previous_term);
  sigaction(SIGUSR1, &action, &g_previous_usr1);
}

PreemptionFlag::~PreemptionFlag() {
  const std::lock_guard<std::mutex> lock(g_mutex);
  if (--g_guards > 0) return;
  sigaction(SIGTERM, &g_previous_term, nullptr);
  sigaction(SIGUSR1, &g_previous_usr1, nullptr);
}

int PreemptionFlag::received() { return g_signal; }

void stop_if_signalled(const std::string& while_doing) {
  if (const int signal = PreemptionFlag::received(); signal != 0) {
    throw Preempted(fmt::format("signal {} {}", signal, while_doing));
  }
}

}  // namespace skelaug::core
