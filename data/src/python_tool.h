#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace skelaug::data {

// Runs one of the Python pickle readers/writers (data/pickle_formats/ in the source tree) and waits for it:
//   <python> -B -E -s <pickle formats dir>/<script> <arguments...>
// The interpreter is $SKELAUG_PYTHON, else /usr/bin/python3 (Debian's, which has numpy and joblib). The scripts are
// where the build and `cmake --install` put them beside the program, <program dir>/../share/skelaug/pickle_formats
// (pickle_formats_directory()), or in $SKELAUG_PICKLE_FORMATS_DIR when that is set. The script is started directly
// (posix_spawn with an argument vector, never a shell), with stdin from /dev/null and its stdout and stderr captured.
// Python only (un)pickles: everything else happens in C++, which reads what the script wrote.
//
// A script reports a problem with the user's input by exiting with code 2 after a last line
// "skelaug-tool-error: <file>: <what is wrong>"; that becomes a core::UserError with that message. Any other failure
// (no interpreter, a missing module, a traceback, a signal) throws std::runtime_error with the end of its output.
void run_python_tool(const std::string& script, const std::vector<std::string>& arguments);

// Where the scripts are: $SKELAUG_PICKLE_FORMATS_DIR, else the data directory beside the running program (found
// through /proc/self/exe, so an installed prefix can be moved as a whole).
std::filesystem::path pickle_formats_directory();

}  // namespace skelaug::data
