#pragma once

#include <string>
#include <vector>

namespace skelaug::data {

// Runs one of the Python pickle readers/writers in <tools dir>/pickle_formats/ and waits for it:
//   <python> -B -E -s <tools dir>/pickle_formats/<script> <arguments...>
// The interpreter is $SKELAUG_PYTHON, else /usr/bin/python3 (Debian's, which has numpy and joblib); the tools
// directory is $SKELAUG_TOOLS_DIR, else the source tree's tools/ (compiled in). The script is started directly
// (posix_spawn with an argument vector, never a shell), with stdin from /dev/null and its stdout and stderr captured.
// Python only (un)pickles: everything else happens in C++, which reads what the script wrote.
//
// A script reports a problem with the user's input by exiting with code 2 after a last line
// "skelaug-tool-error: <file>: <what is wrong>"; that becomes a core::UserError with that message. Any other failure
// (no interpreter, a missing module, a traceback, a signal) throws std::runtime_error with the end of its output.
void run_python_tool(const std::string& script, const std::vector<std::string>& arguments);

}  // namespace skelaug::data
