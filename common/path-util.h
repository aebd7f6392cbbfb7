/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Lexical path helpers.
 */
#pragma once

/*
 * Go's filepath.Clean, lexically (no filesystem access): the shortest path naming the same file
 * ("a//b/./c/" -> "a/b/c", "/../x" -> "/x", "" -> "."). snapd cleans paths this way in its
 * snap.yaml and container checks, so we do too. Caller frees; NULL on allocation failure.
 */
char *sn_path_clean(const char *path);
