/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep runner - Loading the corpus of cases
 */
#pragma once

#include "conformance/runner/oracle.h"

#include <string>
#include <vector>

namespace lockstep::runner {

/**
 * load_cases() - parse every *.trace under @paths (files or directories)
 *
 * A case's group is its directory relative to the corpus root
 * ("conformance/cases/fs/x.trace" is in group "fs"); its name is
 * "group/stem".  Files are taken in sorted order so that runs and shards are
 * reproducible.  On the first malformed trace, returns false with *error
 * set to "FILE:LINE:COL: ...".
 */
bool load_cases(const std::vector<std::string> &paths, std::vector<Case> &out,
		std::string *error);

/*
 * The built-in corpus: conformance/cases under the working directory, next
 * to the binary's source tree, or /usr/share/lockstep/cases (VM images use
 * /cases).  Empty if none exists.
 */
std::string default_corpus(const char *argv0);

} // namespace lockstep::runner
