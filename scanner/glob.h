/* SPDX-License-Identifier: Apache-2.0 */
/* Path glob matching shared by rule paths, --exclude, --rule and waivers. */
#ifndef VG_GLOB_H
#define VG_GLOB_H

#include <stdbool.h>

/* Matches a '/'-separated path against a glob, component by component:
 *   *      any run of characters except '/'
 *   **     as a whole component: zero or more whole components, so the pattern
 *          made of "src", "**" and "x.c" matches src/x.c and src/a/b/x.c, and
 *          "src" then "**" matches src itself; a "**" that is not a whole
 *          component is a plain "*"
 *   ?      one character except '/'
 *   [abc], [a-z], [!a], [^a]  one character from / not from a set (never '/')
 *   \x     the character x
 * A pattern with no '/' matches the path's last component (as .gitignore does);
 * otherwise it matches the whole path. A leading '/' in pattern or path is
 * ignored, so absolute and relative forms match alike, and so are empty
 * components ("a//b/" is "a/b"). Patterns longer than VG_MAX_PATH_BYTES match
 * nothing. Never recurses without bound; cannot fail. (No literal examples
 * here: a slash followed by a star inside a comment trips -Wcomment.) */
bool vg_glob_match(const char *pattern, const char *path);

/* Matches a plain string (no path semantics: '*' also crosses '/'), used for
 * rule ids such as "secrets.aws.*". */
bool vg_glob_match_str(const char *pattern, const char *s);

/* True when the pattern has glob metacharacters. */
bool vg_glob_has_magic(const char *pattern);

#endif
