#!/usr/bin/env python3
"""Lists C++ functions longer than N lines, so "functions over 80 lines" is a
number anyone can reproduce rather than a guess.

    python3 scripts/long_functions.py [--max N] [folder-or-file ...]

Prints "file:line name length" for every function definition whose body spans
more than N lines (default 80), longest first, then a count. Length runs from
the line holding the function's name to the line of its closing brace.

It is a heuristic, not a parser: strings, character literals, raw strings and
comments are blanked out, then braces are matched. A brace opens a function
when it is not already inside one and the text since the previous ';', '{' or
'}' has a parameter list and is not a class, namespace, enum or control
statement. Lambdas and local classes count toward the enclosing function.
"""

import argparse
import os
import re
import sys

EXTENSIONS = (".cpp", ".cc", ".cxx", ".hpp", ".h", ".hh")
NOT_FUNCTIONS = re.compile(r"^\s*(?:template\s*<.*>\s*)?(?:class|struct|union|namespace|enum|extern\s+\"|if|for|while|switch|do|else|try|catch)\b", re.S)
NAME = re.compile(r"((?:~?[A-Za-z_]\w*\s*::\s*)*(?:operator\s*(?:\(\s*\)|[^\s(]+)|~?[A-Za-z_]\w*))\s*(?:<[^()]*>)?\s*$")


def blank(text):
    """Returns text with comments and literals replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "R" and i + 1 < n and text[i + 1] == '"' and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if not m:
                out.append(c)
                i += 1
                continue
            end = text.find(")" + m.group(1) + '"', i + m.end())
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append('""' + re.sub(r"[^\n]", " ", text[i + 2:j]))
            i = j
        elif c in "\"'":
            # A digit separator (1'000'000) is not a character literal.
            if c == "'" and i > 0 and text[i - 1].isalnum() and i + 1 < n and text[i + 1].isalnum():
                out.append(" ")
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + re.sub(r"[^\n]", " ", text[i + 1:j - 1]) + (c if j - 1 > i else ""))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def blank_preprocessor(code):
    """Blanks preprocessor lines (and their continuations)."""
    lines = code.split("\n")
    keep = []
    continued = False
    for line in lines:
        if continued or line.lstrip().startswith("#"):
            continued = line.rstrip().endswith("\\")
            keep.append("")
        else:
            keep.append(line)
    return "\n".join(keep)


def function_name(header):
    """The name of the function a header declares, or None if it declares none."""
    if NOT_FUNCTIONS.match(header):
        return None
    depth = 0
    k = 0
    while k < len(header):
        ch = header[k]
        if ch == "(":
            if depth == 0 and re.search(r"\boperator\s*$", header[:k]) and header[k:k + 2] == "()":
                k += 2  # the "()" of operator(), not its parameter list
                continue
            if depth == 0:
                m = NAME.search(header[:k])
                if not m:
                    return None
                name = re.sub(r"\s+", "", m.group(1))
                if name in ("if", "for", "while", "switch", "catch", "return", "sizeof", "decltype", "alignas"):
                    return None
                if "=" in header[:k].replace("==", "").replace("operator=", ""):
                    return None  # an initialiser, e.g. a lambda bound to a variable
                return name
            depth += 1
        elif ch == ")":
            depth -= 1
        k += 1
    return None


def member_brace_init(header):
    """Whether a '{' after this header opens a member's braced initialiser, as in
    "Foo(int a) : x_{a}, y_{} {", rather than the constructor's body."""
    depth = 0
    for k, ch in enumerate(header):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                tail = header[k + 1:]
                return bool(re.search(r"(?<!:):(?!:)", tail)) and bool(re.search(r"[\w>]\s*$", tail))
    return False


def functions(path):
    """Yields (line, name, length) for each function definition in path."""
    with open(path, encoding="utf-8", errors="replace") as f:
        code = blank_preprocessor(blank(f.read()))
    line = 1
    stack = []  # one entry per open brace: True if it opens a function body
    header_start = 0
    inside = None  # (name, first line) of the function being read
    for i, ch in enumerate(code):
        if ch == "{":
            kind = "other"
            if inside is None:
                header = code[header_start:i]
                if member_brace_init(header):
                    stack.append("init")  # x_{a} in a constructor's initializer list
                    continue
                name = function_name(header)
                if name is not None:
                    k = header.find(name.split("::")[0].split("<")[0])
                    first = line - header[k if k >= 0 else 0:].count("\n")
                    inside = (name, first)
                    kind = "function"
            stack.append(kind)
            header_start = i + 1
        elif ch == "}":
            kind = stack.pop() if stack else "other"
            if kind == "init":
                continue
            if kind == "function" and inside is not None:
                yield inside[1], inside[0], line - inside[1] + 1
                inside = None
            header_start = i + 1
        elif ch == ";":
            header_start = i + 1
        elif ch == "\n":
            line += 1


def sources(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, _dirs, files in sorted(os.walk(p)):
                for name in sorted(files):
                    if name.endswith(EXTENSIONS):
                        yield os.path.join(root, name)
        else:
            yield p


def main():
    parser = argparse.ArgumentParser(description="List C++ functions longer than N lines.")
    parser.add_argument("--max", type=int, default=80, help="report functions longer than this (default 80)")
    parser.add_argument("paths", nargs="*", default=["core/src"], help="folders or files (default core/src)")
    args = parser.parse_args()
    found = []
    for path in sources(args.paths):
        for line, name, length in functions(path):
            if length > args.max:
                found.append((length, path, line, name))
    found.sort(key=lambda f: (-f[0], f[1], f[2]))
    for length, path, line, name in found:
        print(f"{path}:{line} {name} {length}")
    print(f"{len(found)} functions over {args.max} lines", file=sys.stderr)


if __name__ == "__main__":
    main()
