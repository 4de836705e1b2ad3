// Reading whole input files (exports, rule files, plans) with errors that say what is wrong
// with the path, so a directory or an unreadable device is not mistaken for an empty file.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace adminauto {

// Returns the content of the regular file or pipe at `path`. `what` names the file in errors,
// such as "user export". A missing path is kNotFound, a directory kInvalidArgument and a read
// error kUnavailable with the system's reason.
Result<std::string> ReadWholeFile(const std::string& path, std::string_view what);

}  // namespace adminauto
