#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Builds the secrets benchmarks' corpora and grades vigil's findings on them.

The corpora are real source text (the system's C headers and Python library)
with planted credentials: fake tokens generated here in each provider's
published format (random bodies, never real keys), at recorded file:line
positions, plus decoys (documentation keys, placeholders, templating,
environment lookups, lines carrying an allow marker) that a scanner must not
report. The token formats are written from the providers' documentation, not
copied from vigil's rules, so recall measures the rules rather than echoing
them.

Subcommands (all write or read a JSON manifest):
  tree     copy the text and plant secrets and decoys in it
  grade    recall and precision of a vigil JSON report on a tree
  history  a git repository of many commits with secrets added and removed
  grade-history, staged, grade-staged
  regexes  the detectors' regexes, rewritten for ripgrep's engines
"""

import argparse
import base64
import hashlib
import json
import os
import random
import re
import shutil
import string
import subprocess
import sys
import time
import zlib

VERSION = 3  # bump when the generated content changes
UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
DIGITS = string.digits
ALNUM = UPPER + LOWER + DIGITS
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
BECH32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"
TEXT_LIMIT = 10 * 1024 * 1024  # vigil's default --max-file-size


def rs(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def mixed(rng, n, alphabet=ALNUM):
    """A random string using every character class of the alphabet (upper and
    lower case letters, digits), as real tokens do."""
    classes = [cls for cls in (UPPER, LOWER, DIGITS) if any(ch in alphabet for ch in cls)]
    while True:
        s = rs(rng, alphabet, n)
        if all(any(ch in cls for ch in s) for cls in classes):
            return s


def b64(data):
    return base64.b64encode(data).decode()


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def base62(n, width):
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = (DIGITS + UPPER + LOWER)[r] + out
    return out.rjust(width, "0")


def github_token(rng, prefix):
    body = mixed(rng, 30)
    return prefix + body + base62(zlib.crc32(body.encode()), 6)


def pem_body(rng, nbytes):
    data = bytes(rng.getrandbits(8) for _ in range(nbytes))
    s = b64(data)
    return [s[i:i + 64] for i in range(0, len(s), 64)]


def jwt(rng):
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64url(json.dumps({"sub": "svc-" + rs(rng, LOWER, 6),
                              "iat": 1700000000 + rng.randrange(10**7),
                              "scope": "admin"}).encode())
    return head + "." + body + "." + b64url(bytes(rng.getrandbits(8) for _ in range(32)))


def password(rng, n=20):
    return mixed(rng, n, ALNUM + "!%^*-_")


# ---- the token formats ----
# Each returns (variable name, value); multi-line credentials return a list of
# lines as the value.

def f_aws(rng):
    return ("AWS_ACCESS_KEY_ID", "AKIA" + rs(rng, UPPER + "234567", 16))


def f_aws_secret(rng):
    return ("AWS_SECRET_ACCESS_KEY", mixed(rng, 40, B64))


FORMATS = {
    "aws-access-key-id": f_aws,
    "aws-secret-access-key": f_aws_secret,
    "github-pat": lambda r: ("GITHUB_TOKEN", github_token(r, "ghp_")),
    "github-oauth": lambda r: ("GH_OAUTH_TOKEN", github_token(r, "gho_")),
    "github-app": lambda r: ("GITHUB_APP_TOKEN", github_token(r, "ghs_")),
    "github-fine-grained": lambda r: ("GH_PAT", "github_pat_" + mixed(r, 22) + "_"
                                      + mixed(r, 59)),
    "gitlab-pat": lambda r: ("GITLAB_TOKEN", "glpat-" + mixed(r, 20, ALNUM + "_-")),
    "slack-bot": lambda r: ("SLACK_BOT_TOKEN", "xoxb-%d-%d-%s" % (
        r.randrange(10**11, 10**12), r.randrange(10**12, 10**13), mixed(r, 24))),
    "slack-webhook": lambda r: ("SLACK_WEBHOOK_URL",
                                "https://hooks.slack.com/services/T%s/B%s/%s" % (
                                    rs(r, UPPER + DIGITS, 8), rs(r, UPPER + DIGITS, 10),
                                    mixed(r, 24))),
    "discord-webhook": lambda r: ("DISCORD_WEBHOOK",
                                  "https://discord.com/api/webhooks/%d/%s" % (
                                      r.randrange(10**17, 10**18), mixed(r, 68, B64URL))),
    "telegram-bot": lambda r: ("TELEGRAM_BOT_TOKEN", "%d:AA%s" % (
        r.randrange(10**9, 4 * 10**9), mixed(r, 33, B64URL))),
    "stripe-live": lambda r: ("STRIPE_SECRET_KEY", "sk_live_" + mixed(r, 99)),
    "stripe-restricted": lambda r: ("STRIPE_KEY", "rk_live_" + mixed(r, 24)),
    "openai-project": lambda r: ("OPENAI_API_KEY", "sk-proj-" + mixed(r, 74, B64URL)
                                 + "T3BlbkFJ" + mixed(r, 74, B64URL)),
    "openai-legacy": lambda r: ("OPENAI_KEY", "sk-" + mixed(r, 20) + "T3BlbkFJ" + mixed(r, 20)),
    "anthropic": lambda r: ("ANTHROPIC_API_KEY", "sk-ant-api03-" + mixed(r, 93, B64URL) + "AA"),
    "huggingface": lambda r: ("HF_TOKEN", "hf_" + mixed(r, 34, UPPER + LOWER)),
    "npm": lambda r: ("NPM_TOKEN", "npm_" + mixed(r, 36)),
    "pypi": lambda r: ("PYPI_TOKEN", "pypi-AgEIcHlwaS5vcmc" + mixed(r, 70, B64URL)),
    "sendgrid": lambda r: ("SENDGRID_API_KEY", "SG." + mixed(r, 22, B64URL) + "."
                           + mixed(r, 43, B64URL)),
    "twilio-api-key": lambda r: ("TWILIO_API_KEY", "SK" + rs(r, HEX, 32)),
    "twilio-auth-token": lambda r: ("TWILIO_AUTH_TOKEN", rs(r, HEX, 32)),
    "shopify": lambda r: ("SHOPIFY_ACCESS_TOKEN", "shpat_" + rs(r, HEX, 32)),
    "gcp-api-key": lambda r: ("GOOGLE_API_KEY", "AIza" + mixed(r, 35, B64URL)),
    "digitalocean": lambda r: ("DIGITALOCEAN_TOKEN", "dop_v1_" + rs(r, HEX, 64)),
    "linear": lambda r: ("LINEAR_API_KEY", "lin_api_" + mixed(r, 40)),
    "vault": lambda r: ("VAULT_TOKEN", "hvs." + mixed(r, 24, B64URL)),
    "databricks": lambda r: ("DATABRICKS_TOKEN", "dapi" + rs(r, HEX, 32)),
    "age": lambda r: ("AGE_KEY", "AGE-SECRET-KEY-1" + rs(r, BECH32, 58)),
    "mailgun": lambda r: ("MAILGUN_API_KEY", "key-" + rs(r, HEX, 32)),
    "square": lambda r: ("SQUARE_ACCESS_TOKEN", "EAAA" + mixed(r, 60, B64URL)),
    "datadog": lambda r: ("DD_API_KEY", rs(r, HEX, 32)),
    "newrelic": lambda r: ("NEW_RELIC_API_KEY", "NRAK-" + rs(r, UPPER + DIGITS, 27)),
    "grafana-sa": lambda r: ("GRAFANA_TOKEN", "glsa_" + mixed(r, 32) + "_" + rs(r, HEX, 8)),
    "doppler": lambda r: ("DOPPLER_TOKEN", "dp.pt." + mixed(r, 43)),
    "pulumi": lambda r: ("PULUMI_ACCESS_TOKEN", "pul-" + rs(r, HEX, 40)),
    "dockerhub": lambda r: ("DOCKERHUB_TOKEN", "dckr_pat_" + mixed(r, 27, B64URL)),
    "rubygems": lambda r: ("GEM_HOST_API_KEY", "rubygems_" + rs(r, HEX, 48)),
    "groq": lambda r: ("GROQ_API_KEY", "gsk_" + mixed(r, 52)),
    "sonarqube": lambda r: ("SONAR_TOKEN", "squ_" + rs(r, HEX, 40)),
    "postman": lambda r: ("POSTMAN_API_KEY", "PMAK-" + rs(r, HEX, 24) + "-" + rs(r, HEX, 34)),
    "jwt": lambda r: ("SESSION_JWT", jwt(r)),
    "postgres-url": lambda r: ("DATABASE_URL", "postgres://app:%s@db%d.internal.acme.io:5432/app"
                               % (mixed(r, 22), r.randrange(1, 9))),
    "mysql-url": lambda r: ("MYSQL_URL", "mysql://root:%s@10.0.%d.%d:3306/shop"
                            % (mixed(r, 18), r.randrange(256), r.randrange(256))),
    "https-credentials": lambda r: ("REPO_URL", "https://deploy:%s@git.acme.io/team/app.git"
                                    % mixed(r, 24)),
    "password-assignment": lambda r: ("DB_PASSWORD", password(r)),
    "secret-assignment": lambda r: ("client_secret", mixed(r, 32)),
    "azure-storage": lambda r: ("AZURE_STORAGE_CONNECTION_STRING",
                                "DefaultEndpointsProtocol=https;AccountName=acme%d;AccountKey=%s;"
                                "EndpointSuffix=core.windows.net"
                                % (r.randrange(100, 999),
                                   b64(bytes(r.getrandbits(8) for _ in range(64))))),
    "sentry-org": lambda r: ("SENTRY_AUTH_TOKEN", "sntryu_" + rs(r, HEX, 64)),
    "tailscale": lambda r: ("TS_AUTHKEY", "tskey-auth-k%s-%s" % (mixed(r, 11), mixed(r, 33))),
    "planetscale": lambda r: ("PLANETSCALE_TOKEN", "pscale_tkn_" + mixed(r, 43, B64URL)),
    "replicate": lambda r: ("REPLICATE_API_TOKEN", "r8_" + mixed(r, 37)),
    "perplexity": lambda r: ("PPLX_API_KEY", "pplx-" + mixed(r, 48)),
    "brevo": lambda r: ("BREVO_API_KEY", "xkeysib-" + rs(r, HEX, 64) + "-" + mixed(r, 16)),
    "flyio": lambda r: ("FLY_API_TOKEN", "fo1_" + mixed(r, 43, B64URL)),
    "netlify": lambda r: ("NETLIFY_AUTH_TOKEN", "nfp_" + mixed(r, 36)),
}

# Multi-line credentials: (list of lines, where the secret's lines are).
def ml_rsa(rng):
    return (["-----BEGIN RSA PRIVATE KEY-----"] + pem_body(rng, 600)
            + ["-----END RSA PRIVATE KEY-----"])


def ml_ec(rng):
    return (["-----BEGIN EC PRIVATE KEY-----"] + pem_body(rng, 121)
            + ["-----END EC PRIVATE KEY-----"])


def ml_pkcs8(rng):
    return (["-----BEGIN PRIVATE KEY-----"] + pem_body(rng, 630)
            + ["-----END PRIVATE KEY-----"])


def ml_openssh(rng):
    body = b"openssh-key-v1\0" + bytes(rng.getrandbits(8) for _ in range(380))
    s = b64(body)
    return (["-----BEGIN OPENSSH PRIVATE KEY-----"] + [s[i:i + 70] for i in range(0, len(s), 70)]
            + ["-----END OPENSSH PRIVATE KEY-----"])


def ml_pgp(rng):
    return (["-----BEGIN PGP PRIVATE KEY BLOCK-----", ""] + pem_body(rng, 500)
            + ["=" + rs(rng, B64, 4), "-----END PGP PRIVATE KEY BLOCK-----"])


def ml_gcp(rng):
    key = "\\n".join(["-----BEGIN PRIVATE KEY-----"] + pem_body(rng, 630)
                     + ["-----END PRIVATE KEY-----", ""])
    proj = "acme-%s-%d" % (rs(rng, LOWER, 5), rng.randrange(100, 999))
    return json.dumps({
        "type": "service_account", "project_id": proj,
        "private_key_id": rs(rng, HEX, 40), "private_key": key,
        "client_email": "deploy@%s.iam.gserviceaccount.com" % proj,
        "client_id": str(rng.randrange(10**20, 10**21)),
        "token_uri": "https://oauth2.googleapis.com/token"}, indent=2).replace(
            "\\\\n", "\\n").split("\n")


def ml_netrc(rng):
    return ["machine api.acme.io", "  login ci-bot", "  password " + mixed(rng, 28)]


def ml_docker(rng):
    auth = b64(("robot$ci:" + mixed(rng, 32)).encode())
    return json.dumps({"auths": {"registry.acme.io": {"auth": auth}}}, indent=2).split("\n")


def ml_npmrc(rng):
    return ["registry=https://registry.npmjs.org/",
            "//registry.npmjs.org/:_authToken=npm_" + mixed(rng, 36)]


MULTILINE = {
    "rsa-private-key": ml_rsa,
    "ec-private-key": ml_ec,
    "pkcs8-private-key": ml_pkcs8,
    "openssh-private-key": ml_openssh,
    "pgp-private-key": ml_pgp,
    "gcp-service-account": ml_gcp,
    "netrc": ml_netrc,
    "docker-config": ml_docker,
    "npmrc": ml_npmrc,
}
# files that only make sense under their own name
STANDALONE = {"gcp-service-account": "service-account.json", "netrc": ".netrc",
              "docker-config": ".docker/config.json", "npmrc": ".npmrc"}

# Lines that must not be reported: documentation keys, placeholders, templates,
# lookups, masked values.
DECOYS = [
    ("aws-doc-example", "AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
    ("aws-doc-secret", "aws_secret_access_key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("env-reference", "GITHUB_TOKEN", "${GITHUB_TOKEN}"),
    ("template", "password", "{{ db_password }}"),
    ("placeholder-your", "api_key", "your-api-key-here"),
    ("placeholder-angle", "SLACK_BOT_TOKEN", "<YOUR_SLACK_TOKEN>"),
    ("placeholder-x", "STRIPE_SECRET_KEY", "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx"),
    ("placeholder-changeme", "SECRET_KEY", "changeme"),
    ("mask", "password", "********"),
    ("github-x", "GITHUB_TOKEN", "ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"),
    ("slack-doc-webhook", "SLACK_WEBHOOK_URL",
     "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"),
    ("url-placeholder", "DATABASE_URL", "postgres://user:password@localhost:5432/mydb"),
    ("redacted", "token", "REDACTED"),
    ("stripe-test-doc", "STRIPE_KEY", "sk_test_4eC39HqLyjWDarjtT1zdp7dc"),
    ("shell-lookup", "API_TOKEN", "$(vault read -field=token secret/ci)"),
]
CODE_DECOYS = {  # language-specific lookups
    "py": ['password = os.environ["DB_PASSWORD"]', 'token = os.getenv("API_TOKEN")',
           'secret_key = settings.SECRET_KEY'],
    "c": ['password = getenv("DB_PASSWORD");', 'const char *token = argv[1];',
          'static const char *password_prompt = "Password: ";'],
}
MARKERS = ["# vigil:allow", "# gitleaks:allow", "# pragma: allowlist secret"]


# ---- rendering ----

def lang_of(path):
    if path.endswith(".py"):
        return "py"
    return "c"


def render_line(rng, lang, name, value):
    if lang == "py":
        style = rng.randrange(4)
        if style == 0:
            return '%s = "%s"' % (name.upper(), value)
        if style == 1:
            return "%s = '%s'" % (name.upper(), value)
        if style == 2:
            return 'CONFIG["%s"] = "%s"' % (name.lower(), value)
        return 'os.environ.setdefault("%s", "%s")' % (name.upper(), value)
    if lang == "c":
        style = rng.randrange(3)
        if style == 0:
            return '#define %s "%s"' % (name.upper(), value)
        if style == 1:
            return 'static const char %s[] = "%s";' % (name.lower(), value)
        return "/* %s=%s */" % (name.upper(), value)
    if lang == "env":
        return "%s=%s" % (name.upper(), value)
    if lang == "yaml":
        return '%s: "%s"' % (name.lower(), value)
    if lang == "json":
        return '  "%s": "%s",' % (name.lower(), value)
    if lang == "sh":
        return "export %s='%s'" % (name.upper(), value)
    raise ValueError(lang)


def render_block(rng, lang, lines):
    """A multi-line credential embedded in source or configuration text."""
    if lang == "py":
        return ['PRIVATE_KEY = """' + lines[0]] + lines[1:] + ['"""']
    if lang == "c":
        return ["/*"] + lines + ["*/"]
    if lang == "yaml":
        return ["tls_key: |"] + ["  " + l for l in lines]
    return ['PRIVATE_KEY="' + lines[0]] + lines[1:-1] + [lines[-1] + '"']


# ---- tree ----

def text_files(roots, suffix=None):
    """Regular text files under roots, sorted, as (path, size)."""
    out = []
    for root in roots:
        for dp, dns, fns in os.walk(root):
            dns.sort()
            dns[:] = [d for d in dns if d != "__pycache__"]
            for fn in sorted(fns):
                if suffix and not fn.endswith(suffix):
                    continue
                p = os.path.join(dp, fn)
                try:
                    st = os.lstat(p)
                except OSError:
                    continue
                if not (st.st_mode & 0o170000 == 0o100000) or st.st_size > TEXT_LIMIT:
                    continue
                try:
                    with open(p, "rb") as fh:
                        head = fh.read(8192)
                except OSError:
                    continue
                if b"\0" in head:
                    continue
                out.append((p, st.st_size))
    return out


def sources():
    py = sorted(d for d in os.listdir("/usr/lib") if re.fullmatch(r"python3(\.\d+)?", d))
    files = [(p, s, "include" + p[len("/usr/include"):]) for p, s in text_files(["/usr/include"])]
    for d in py:
        root = os.path.join("/usr/lib", d)
        files += [(p, s, "python/" + d + p[len(root):]) for p, s in text_files([root], ".py")]
    return files


def plant_in_file(path, items, rng):
    """Inserts items (lists of lines) after blank lines of the file at path.
    Returns [(first line, last line, item index)] in the new file, 1-based."""
    with open(path, "r", encoding="utf-8", errors="surrogateescape", newline="") as fh:
        text = fh.read()
    lines = text.split("\n")
    blanks = [i for i, l in enumerate(lines) if not l.strip()] or [len(lines) - 1]
    spots = sorted(rng.sample(blanks, min(len(items), len(blanks))))
    while len(spots) < len(items):
        spots.append(spots[-1])
    out, placed, k = [], [], 0
    for i, line in enumerate(lines):
        out.append(line)
        while k < len(items) and spots[k] == i:
            first = len(out) + 1
            out.extend(items[k])
            placed.append((first, len(out), k))
            k += 1
    with open(path, "w", encoding="utf-8", errors="surrogateescape", newline="") as fh:
        fh.write("\n".join(out))
    return placed


def make_secret(rng, kind_names, lang):
    """One true positive rendered for lang: (lines, format name, secret)."""
    name = rng.choice(kind_names)
    if name in MULTILINE:
        block = MULTILINE[name](rng)
        return render_block(rng, lang, block), name
    var, value = FORMATS[name](rng)
    return [render_line(rng, lang, var, value)], name


def make_decoy(rng, lang):
    r = rng.randrange(10)
    if r < 2 and lang in CODE_DECOYS:
        return [rng.choice(CODE_DECOYS[lang])], "code-lookup"
    if r < 4:
        # a real-looking token the line itself allows
        name = rng.choice(sorted(FORMATS))
        var, value = FORMATS[name](rng)
        line = render_line(rng, lang if lang != "json" else "env", var, value)
        marker = rng.choice(MARKERS)
        if lang == "c":
            marker = "/* " + marker[2:] + " */"
        return [line + "  " + marker], "inline-allow"
    label, var, value = rng.choice(DECOYS)
    return [render_line(rng, lang, var, value)], label


def cmd_tree(a):
    manifest_path = a.manifest
    params = {"version": VERSION, "seed": a.seed, "min_mb": a.min_mb, "planted": a.planted,
              "decoys": a.decoys}
    if os.path.exists(manifest_path) and os.path.isdir(a.dest):
        with open(manifest_path) as fh:
            old = json.load(fh)
        if old.get("params") == params:
            print("tree: reusing %s (%.0f MB, %d files)" % (a.dest, old["bytes"] / 1e6,
                                                           old["files"]), file=sys.stderr)
            return 0
    if os.path.exists(a.dest):
        shutil.rmtree(a.dest)
    rng = random.Random(a.seed)
    src = sources()
    one = sum(s for _, s, _ in src)
    copies = max(1, -(-int(a.min_mb * 1e6) // one))
    print("tree: %d copies of %d files (%.0f MB each) into %s" % (copies, len(src), one / 1e6,
                                                                  a.dest), file=sys.stderr)
    copied = []
    for c in range(copies):
        for p, _, rel in src:
            dst = os.path.join(a.dest, "copy-%d" % c, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(p, dst)
            copied.append("copy-%d/%s" % (c, rel))
    # planting: 60% of the secrets inside copied source files, the rest in
    # config files of small made-up projects next to them
    kinds = sorted(FORMATS) + sorted(MULTILINE)
    inline_kinds = [k for k in kinds if k not in STANDALONE]
    in_source = a.planted * 6 // 10
    per_file = {}
    items = []  # {path, first, last, kind, format, lang}
    for _ in range(in_source):
        per_file.setdefault(rng.choice(copied), []).append("secret")
    for _ in range(a.decoys * 6 // 10):
        per_file.setdefault(rng.choice(copied), []).append("decoy")
    inserted = {}
    for rel in sorted(per_file):
        lang = lang_of(rel)
        blocks, meta = [], []
        for what in per_file[rel]:
            if what == "secret":
                lines, fmt = make_secret(rng, inline_kinds, lang)
            else:
                lines, fmt = make_decoy(rng, lang)
            blocks.append(lines)
            meta.append((what, fmt))
        placed = plant_in_file(os.path.join(a.dest, rel), blocks, rng)
        inserted[rel] = [[first, last - first + 1] for first, last, _ in placed]
        for first, last, k in placed:
            items.append({"path": rel, "first": first, "last": last,
                          "kind": meta[k][0], "format": meta[k][1], "lang": lang})
    # config files of made-up projects
    left_secrets = a.planted - in_source
    left_decoys = a.decoys - a.decoys * 6 // 10
    proj = 0
    standalone = sorted(STANDALONE)
    while left_secrets > 0 or left_decoys > 0:
        base = "copy-%d/projects/p%03d" % (proj % copies, proj)
        proj += 1
        files = {".env": "env", "config/settings.yaml": "yaml", "deploy.sh": "sh",
                 "app/settings.py": "py"}
        for rel, lang in files.items():
            lines = {"env": ["# environment for local runs"],
                     "yaml": ["# service configuration", "service:", "  name: api"],
                     "sh": ["#!/bin/sh", "set -eu"],
                     "py": ['"""Settings for the api service."""', "import os", ""]}[lang]
            n_s = min(left_secrets, rng.randrange(1, 4))
            n_d = min(left_decoys, rng.randrange(0, 3))
            left_secrets -= n_s
            left_decoys -= n_d
            order = ["secret"] * n_s + ["decoy"] * n_d
            rng.shuffle(order)
            for what in order:
                if what == "secret":
                    blines, fmt = make_secret(rng, inline_kinds, lang)
                else:
                    blines, fmt = make_decoy(rng, lang)
                items.append({"path": base + "/" + rel, "first": len(lines) + 1,
                              "last": len(lines) + len(blines), "kind": what, "format": fmt,
                              "lang": lang})
                lines += blines
            lines.append("")
            p = os.path.join(a.dest, base, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as fh:
                fh.write("\n".join(lines))
        if left_secrets > 0:
            fmt = standalone[proj % len(standalone)]
            block = MULTILINE[fmt](rng)
            rel = base + "/" + STANDALONE[fmt]
            p = os.path.join(a.dest, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as fh:
                fh.write("\n".join(block) + "\n")
            items.append({"path": rel, "first": 1, "last": len(block), "kind": "secret",
                          "format": fmt, "lang": "file"})
            left_secrets -= 1
    nfiles, nbytes = 0, 0
    for dp, _, fns in os.walk(a.dest):
        for fn in fns:
            nfiles += 1
            nbytes += os.lstat(os.path.join(dp, fn)).st_size
    manifest = {"params": params, "copies": copies, "files": nfiles, "bytes": nbytes,
                "items": items, "inserted": inserted}
    with open(manifest_path + ".tmp", "w") as fh:
        json.dump(manifest, fh)
    os.replace(manifest_path + ".tmp", manifest_path)
    print("tree: %d files, %.0f MB, %d secrets and %d decoys planted" % (
        nfiles, nbytes / 1e6, sum(i["kind"] == "secret" for i in items),
        sum(i["kind"] == "decoy" for i in items)), file=sys.stderr)
    return 0


def load_findings(path):
    with open(path) as fh:
        d = json.load(fh)
    return [f for f in d.get("findings", []) if f.get("status") == "fail"], d


def cmd_grade(a):
    with open(a.manifest) as fh:
        m = json.load(fh)
    findings, report = load_findings(a.results)
    by_path = {}
    for it in m["items"]:
        by_path.setdefault(it["path"], []).append(it)
    hit_items = set()
    tp = fp = suppressed = 0
    fp_list, orig = [], {}
    for f in findings:
        loc = f.get("location") or {}
        path, line = loc.get("path"), loc.get("line")
        if path is None or line is None:
            continue
        if f.get("suppression", "none") != "none":
            suppressed += 1
            continue
        match = None
        for it in by_path.get(path, []):
            if it["first"] <= line <= it["last"]:
                match = it
                break
        if match is not None and match["kind"] == "secret":
            tp += 1
            hit_items.add(id(match))
        elif match is not None or path.split("/")[1:2] == ["projects"]:
            fp += 1
            fp_list.append((f["rule"], path, line, match["format"] if match else "context"))
        else:
            # original text: map the line back to the copied file's own numbering
            shift = sum(n for first, n in m["inserted"].get(path, []) if first <= line)
            src = path.split("/", 1)[1]
            key = (src, line - shift, f["rule"])
            orig[key] = orig.get(key, 0) + 1
    secrets = [it for it in m["items"] if it["kind"] == "secret"]
    found = [it for it in secrets if id(it) in hit_items]
    missed = [it for it in secrets if id(it) not in hit_items]
    recall = len(found) / len(secrets) if secrets else 0.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    decoys = [it for it in m["items"] if it["kind"] == "decoy"]
    out = {
        "secrets": len(secrets), "found": len(found), "recall": recall,
        "findings_on_planted": tp, "false_positives": fp, "precision": precision,
        "decoys": len(decoys), "suppressed_findings": suppressed,
        "original_findings": sum(orig.values()), "original_distinct": len(orig),
    }
    print("planted secrets found: %d/%d (recall %.1f%%)" % (len(found), len(secrets),
                                                             100 * recall))
    print("findings on planted lines: %d true, %d false (precision %.1f%%); %d decoys planted, "
          "%d findings suppressed by allow markers" % (tp, fp, 100 * precision, len(decoys),
                                                      suppressed))
    if missed:
        per = {}
        for it in missed:
            per[it["format"]] = per.get(it["format"], 0) + 1
        print("missed by format: " + ", ".join("%s %d" % kv for kv in sorted(per.items())))
        if a.verbose:
            for it in missed:
                print("  missed %s at %s:%d" % (it["format"], it["path"], it["first"]))
    if fp_list:
        per = {}
        for rule, _, _, fmt in fp_list:
            per[(rule, fmt)] = per.get((rule, fmt), 0) + 1
        print("false positives by rule and decoy: " + ", ".join(
            "%s on %s %d" % (r, d, n) for (r, d), n in sorted(per.items())))
    print("findings in the original copied text: %d (%d distinct source lines x copies)" % (
        sum(orig.values()), len(orig)))
    if orig:
        per = {}
        for (src, line, rule), n in orig.items():
            per[rule] = per.get(rule, 0) + 1
        print("  distinct lines by rule: " + ", ".join("%s %d" % kv for kv in sorted(
            per.items(), key=lambda kv: -kv[1])))
        if a.verbose:
            for (src, line, rule) in sorted(orig):
                print("  %s:%d %s" % (src, line, rule))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(out, fh)
    return 0


# ---- git repositories (fast-import) ----

class Importer:
    """Writes a git fast-import stream; files are kept as lists of lines."""

    def __init__(self, repo):
        self.p = subprocess.Popen(["git", "-C", repo, "fast-import", "--quiet",
                                   "--export-marks=" + os.path.join(repo, ".git", "bench-marks")],
                                  stdin=subprocess.PIPE)
        self.mark = 0
        self.when = 1600000000

    def data(self, b):
        self.p.stdin.write(b"data %d\n" % len(b))
        self.p.stdin.write(b)
        self.p.stdin.write(b"\n")

    def commit(self, ref, msg, changes, parent=None, author="Dev One <dev1@acme.io>"):
        """changes: {path: bytes or None (delete)}; returns the commit's mark."""
        self.mark += 1
        self.when += 600
        w = self.p.stdin.write
        w(b"commit %s\nmark :%d\n" % (ref.encode(), self.mark))
        w(("author %s %d +0000\ncommitter %s %d +0000\n" % (author, self.when, author,
                                                             self.when)).encode())
        self.data(msg.encode())
        if parent:
            w(b"from :%d\n" % parent)
        for path in sorted(changes):
            content = changes[path]
            if content is None:
                w(b"D %s\n" % path.encode())
            else:
                w(b"M 100644 inline %s\n" % path.encode())
                self.data(content)
        return self.mark

    def close(self):
        self.p.stdin.close()
        if self.p.wait() != 0:
            raise SystemExit("git fast-import failed")


def marks(repo):
    out = {}
    with open(os.path.join(repo, ".git", "bench-marks")) as fh:
        for line in fh:
            k, v = line.split()
            out[int(k[1:])] = v
    return out


def pool(rng, n, lo, hi):
    files = [(p, s) for p, s, _ in sources() if lo <= s <= hi]
    rng.shuffle(files)
    out = []
    for p, _ in files[:n]:
        with open(p, "rb") as fh:
            out.append((p, fh.read().decode("utf-8", "surrogateescape").split("\n")))
    return out


def enc(lines):
    return "\n".join(lines).encode("utf-8", "surrogateescape")


def git(repo, *args, **kw):
    return subprocess.run(["git", "-C", repo] + list(args), check=True,
                          stdout=subprocess.PIPE, **kw).stdout


def init_repo(repo):
    if os.path.exists(repo):
        shutil.rmtree(repo)
    os.makedirs(repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Bench")
    git(repo, "config", "user.email", "bench@acme.io")
    git(repo, "config", "gc.auto", "0")


def cmd_history(a):
    params = {"version": VERSION, "seed": a.seed, "commits": a.commits, "files": a.files,
              "secrets": a.secrets}
    if os.path.exists(a.manifest) and os.path.isdir(os.path.join(a.repo, ".git")):
        with open(a.manifest) as fh:
            if json.load(fh).get("params") == params:
                print("history: reusing %s" % a.repo, file=sys.stderr)
                return 0
    rng = random.Random(a.seed)
    init_repo(a.repo)
    texts = pool(rng, a.files * 3, 1500, 40000)
    files = {}
    for i, (p, lines) in enumerate(texts[:a.files]):
        ext = ".py" if p.endswith(".py") else ".h"
        files["src/m%03d/%s%s" % (i // 25, os.path.basename(p).split(".")[0][:20] + str(i),
                                  ext)] = lines
    spare = [lines for _, lines in texts[a.files:]]
    imp = Importer(a.repo)
    t0 = time.time()
    head = imp.commit("refs/heads/main", "import", {p: enc(l) for p, l in files.items()})
    kinds = sorted(FORMATS)
    planted = []      # {path, line, commit mark, format, secret line, branch}
    live = []         # (remove at commit number, path, line text)
    plant_every = max(1, a.commits // a.secrets)
    for n in range(1, a.commits + 1):
        changes = {}
        for _ in range(rng.choice((1, 1, 2, 3))):
            path = rng.choice(sorted(files))
            lines = files[path]
            src = rng.choice(spare)
            at = rng.randrange(len(lines) + 1)
            op = rng.randrange(3)
            if op == 0 or len(lines) < 20:
                s = rng.randrange(max(1, len(src) - 5))
                lines[at:at] = src[s:s + rng.randrange(1, 6)]
            elif op == 1:
                del lines[at:at + rng.randrange(1, 4)]
            else:
                s = rng.randrange(max(1, len(src) - 5))
                lines[at:at + 2] = src[s:s + rng.randrange(1, 4)]
            changes[path] = None
        if n % plant_every == 0 and len(planted) < a.secrets:
            path = rng.choice(sorted(files))
            lines = files[path]
            at = rng.randrange(len(lines) + 1)
            var, value = FORMATS[kinds[len(planted) % len(kinds)]](rng)
            text = render_line(rng, "py" if path.endswith(".py") else "c", var, value)
            lines.insert(at, text)
            changes[path] = None
            planted.append({"path": path, "line": at + 1, "mark": None, "secret": text,
                            "format": kinds[(len(planted)) % len(kinds)], "branch": "main",
                            "n": n})
            live.append((n + rng.randrange(1, 30), path, text))
        for when, path, text in [x for x in live if x[0] == n]:
            if text in files[path]:
                files[path].remove(text)
                changes[path] = None
            live.remove((when, path, text))
        head = imp.commit("refs/heads/main", "change %d" % n,
                          {p: enc(files[p]) for p in changes}, parent=head,
                          author=rng.choice(("Dev One <dev1@acme.io>", "Dev Two <dev2@acme.io>",
                                             "Dev Three <dev3@acme.io>")))
        for it in planted:
            if it["n"] == n:
                it["mark"] = head
        if n % 1000 == 0:
            print("history: %d commits (%.0f s)" % (n, time.time() - t0), file=sys.stderr)
    # a few unmerged branches, each with a secret that lives only there
    base_marks = list(range(2, head, max(1, head // 4)))[:3]
    for b, base in enumerate(base_marks):
        path = sorted(files)[b]
        content = list(files[path])
        var, value = FORMATS[kinds[b]](rng)
        text = render_line(rng, "py" if path.endswith(".py") else "c", var, value)
        content.insert(5, text)
        mk = imp.commit("refs/heads/feature-%d" % b, "wip %d" % b, {path: enc(content)},
                        parent=base)
        planted.append({"path": path, "line": 6, "mark": mk, "secret": text,
                        "format": kinds[b], "branch": "feature-%d" % b, "n": -1})
    imp.close()
    git(a.repo, "gc", "-q")
    mk = marks(a.repo)
    for it in planted:
        it["commit"] = mk[it["mark"]]
    count = int(git(a.repo, "rev-list", "--all", "--count").decode())
    with open(a.manifest, "w") as fh:
        json.dump({"params": params, "commits": count, "planted": planted}, fh)
    print("history: %d commits, %d secrets planted (%.0f s)" % (count, len(planted),
                                                                time.time() - t0),
          file=sys.stderr)
    return 0


def cmd_grade_history(a):
    with open(a.manifest) as fh:
        m = json.load(fh)
    findings, _ = load_findings(a.results)
    at = {}
    for f in findings:
        loc = f.get("location") or {}
        at.setdefault((loc.get("path"), loc.get("line")), []).append(f)
    found = commit_ok = 0
    missed = []
    for it in m["planted"]:
        fs = at.get((it["path"], it["line"]), [])
        if fs:
            found += 1
            if any(f.get("commit") == it["commit"] for f in fs):
                commit_ok += 1
        else:
            missed.append(it)
    planted_at = {(it["path"], it["line"]) for it in m["planted"]}
    other = sum(1 for f in findings
                if ((f.get("location") or {}).get("path"),
                    (f.get("location") or {}).get("line")) not in planted_at)
    n = len(m["planted"])
    print("planted history secrets found: %d/%d (recall %.1f%%), %d with the introducing "
          "commit" % (found, n, 100 * found / n if n else 0, commit_ok))
    print("other findings (the copied text's own, or lines near planted ones): %d" % other)
    for it in missed[:20]:
        print("  missed %s at %s:%d (%s)" % (it["format"], it["path"], it["line"],
                                            it["branch"]))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"planted": n, "found": found, "commit_ok": commit_ok,
                       "recall": found / n if n else 0, "other": other}, fh)
    return 0


def cmd_staged(a):
    params = {"version": VERSION, "seed": a.seed, "files": a.files, "change_kb": a.change_kb}
    if os.path.exists(a.manifest) and os.path.isdir(os.path.join(a.repo, ".git")):
        with open(a.manifest) as fh:
            if json.load(fh).get("params") == params:
                print("staged: reusing %s" % a.repo, file=sys.stderr)
                return 0
    rng = random.Random(a.seed)
    init_repo(a.repo)
    texts = pool(rng, 4000, 200, 30000)
    files = {}
    for i in range(a.files):
        p, lines = texts[i % len(texts)]
        ext = ".py" if p.endswith(".py") else ".h"
        files["pkg%02d/mod%03d/f%05d%s" % (i // 1000, (i // 50) % 20, i, ext)] = lines
    # one file of HEAD holds a secret already: a staged edit elsewhere in it
    # must not report it again
    old_path = sorted(files)[17]
    var, value = FORMATS["github-pat"](rng)
    old_secret = render_line(rng, "c", var, value)
    files[old_path] = [old_secret] + list(files[old_path])
    imp = Importer(a.repo)
    imp.commit("refs/heads/main", "import", {p: enc(l) for p, l in files.items()})
    imp.close()
    git(a.repo, "reset", "-q", "--hard", "main")
    git(a.repo, "gc", "-q")
    # the staged change: new files and edits, about change_kb in all
    budget = a.change_kb * 1024
    planted, staged_bytes, k = [], 0, 0
    kinds = sorted(FORMATS)
    modify = [old_path] + rng.sample(sorted(files), 40)
    while staged_bytes < budget:
        if k % 2 == 0 and modify:
            path = modify.pop(0)
            lines = list(files[path])
        else:
            path = "pkg-new/new%03d.%s" % (k, rng.choice(("py", "h")))
            lines = list(rng.choice(texts)[1])
        src = rng.choice(texts)[1]
        at = rng.randrange(len(lines) + 1)
        lines[at:at] = src[:rng.randrange(5, 60)]
        if k % 5 == 0:
            var, value = FORMATS[kinds[(k // 5) % len(kinds)]](rng)
            text = render_line(rng, "py" if path.endswith(".py") else "c", var, value)
            pos = rng.randrange(len(lines) + 1)
            lines.insert(pos, text)
            planted.append({"path": path, "line": pos + 1, "format": kinds[(k // 5) % len(kinds)]})
        data = enc(lines)
        full = os.path.join(a.repo, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as fh:
            fh.write(data)
        staged_bytes += len(data)
        git(a.repo, "add", path)
        k += 1
    # a secret only in the work tree: never staged, must not be reported
    unstaged_path = sorted(files)[3]
    var, value = FORMATS["stripe-live"](rng)
    with open(os.path.join(a.repo, unstaged_path), "ab") as fh:
        fh.write(("\n" + render_line(rng, "c", var, value) + "\n").encode())
    with open(a.manifest, "w") as fh:
        json.dump({"params": params, "planted": planted, "staged_files": k,
                   "staged_bytes": staged_bytes, "unstaged": unstaged_path,
                   "old_secret_path": old_path}, fh)
    print("staged: %d files in HEAD, %d staged files (%.0f KB), %d secrets planted" % (
        len(files), k, staged_bytes / 1024, len(planted)), file=sys.stderr)
    return 0


def cmd_grade_staged(a):
    with open(a.manifest) as fh:
        m = json.load(fh)
    findings, _ = load_findings(a.results)
    at = {((f.get("location") or {}).get("path"), (f.get("location") or {}).get("line"))
          for f in findings}
    found = sum(1 for it in m["planted"] if (it["path"], it["line"]) in at)
    planted_at = {(it["path"], it["line"]) for it in m["planted"]}
    wrong = []
    for f in findings:
        loc = f.get("location") or {}
        if loc.get("path") == m["unstaged"] or (
                loc.get("path") == m["old_secret_path"]
                and (loc.get("path"), loc.get("line")) not in planted_at):
            wrong.append(f)
    n = len(m["planted"])
    print("staged secrets found: %d/%d (recall %.1f%%); unstaged or already committed "
          "secrets reported: %d (want 0)" % (found, n, 100 * found / n if n else 0, len(wrong)))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"planted": n, "found": found, "wrong": len(wrong)}, fh)
    return 0


# ---- regexes for ripgrep ----

def strip_lookaround(p):
    """p without its look-around groups (balanced, escapes and classes
    respected): the superset a regex engine without look-around can run."""
    out, i, n = [], 0, len(p)
    while i < n:
        if p[i] == "\\":
            out.append(p[i:i + 2])
            i += 2
        elif p[i] == "[":
            j = i + 1
            if j < n and p[j] == "^":
                j += 1
            if j < n and p[j] == "]":
                j += 1
            while j < n and p[j] != "]":
                j += 2 if p[j] == "\\" else 1
            out.append(p[i:j + 1])
            i = j + 1
        elif p.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            depth, j = 0, i
            while j < n:
                if p[j] == "\\":
                    j += 2
                    continue
                if p[j] == "[":
                    j += 1
                    if j < n and p[j] == "^":
                        j += 1
                    if j < n and p[j] == "]":
                        j += 1
                    while j < n and p[j] != "]":
                        j += 2 if p[j] == "\\" else 1
                elif p[j] == "(":
                    depth += 1
                elif p[j] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            i = j + 1
        else:
            out.append(p[i])
            i += 1
    return "".join(out)


def cmd_regexes(a):
    """Writes the detectors' regexes for `rg -f`, one per line, rewritten so
    one engine takes them all together. For PCRE2 (rg -P) the only change is
    that named groups get names of their own per pattern (the same names
    repeat across detectors) and a rule's nocase flag becomes (?i:...). For
    the Rust engine (rg's default), which has no look-around or
    back-references, those are removed (a superset, as scanners built on such
    engines run) and groups become plain. Patterns an engine still rejects
    are left out and counted."""
    try:
        import yaml
    except ImportError:
        raise SystemExit("regexes: python3-yaml is needed")
    pats = []
    for fn in sorted(os.listdir(a.rules)):
        if not fn.endswith(".yaml"):
            continue
        with open(os.path.join(a.rules, fn)) as fh:
            doc = yaml.safe_load(fh)
        for r in doc.get("rules", []):
            s = (r.get("check") or {}).get("secret")
            if not s:
                continue
            n, p = len(pats), s["regex"]
            if a.engine == "pcre2":
                p = re.sub(r"\(\?P?<([A-Za-z_]\w*)>", lambda m: "(?<%s_%d>" % (m.group(1), n), p)
                p = re.sub(r"\\k<([A-Za-z_]\w*)>", lambda m: "\\k<%s_%d>" % (m.group(1), n), p)
            else:
                p = strip_lookaround(p)
                p = re.sub(r"\(\?P?<([A-Za-z_]\w*)>", "(", p)
                p = re.sub(r"\\k<([A-Za-z_]\w*)>", r"\\S*", p)
                p = p.replace("(?|", "(?:")
            if s.get("nocase"):
                p = "(?i:" + p + ")"
            pats.append((r["id"], p))
    kept = []
    for rid, p in pats:
        args = ["rg", "-q", "--regex-size-limit", "1G", "--dfa-size-limit", "1G"]
        if a.engine == "pcre2":
            args.append("-P")
        probe = subprocess.run(args + ["-e", p, "-"], input=b"", stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
        if probe.returncode == 2:
            continue
        kept.append((rid, p))
    if a.fit:
        # the longest prefix of the list one engine compiles as a whole (PCRE2
        # caps a compiled pattern at 64 KB with its default link size)
        def compiles(k):
            with open(a.out, "w") as fh:
                fh.write("".join(p + "\n" for _, p in kept[:k]))
            args = ["rg", "-q", "--regex-size-limit", "1G", "--dfa-size-limit", "1G"]
            if a.engine == "pcre2":
                args.append("-P")
            return subprocess.run(args + ["-f", a.out, "-"], input=b"",
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL).returncode != 2
        lo, hi = 0, len(kept)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if compiles(mid):
                lo = mid
            else:
                hi = mid - 1
        kept = kept[:lo]
    with open(a.out, "w") as fh:
        for _, p in kept:
            fh.write(p + "\n")
    print("%d of %d detector regexes" % (len(kept), len(pats)))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("tree")
    t.add_argument("--dest", required=True)
    t.add_argument("--manifest", required=True)
    t.add_argument("--min-mb", type=float, default=500)
    t.add_argument("--planted", type=int, default=200)
    t.add_argument("--decoys", type=int, default=100)
    t.add_argument("--seed", type=int, default=1)
    g = sub.add_parser("grade")
    g.add_argument("--manifest", required=True)
    g.add_argument("--results", required=True)
    g.add_argument("--json")
    g.add_argument("-v", "--verbose", action="store_true")
    h = sub.add_parser("history")
    h.add_argument("--repo", required=True)
    h.add_argument("--manifest", required=True)
    h.add_argument("--commits", type=int, default=5000)
    h.add_argument("--files", type=int, default=300)
    h.add_argument("--secrets", type=int, default=100)
    h.add_argument("--seed", type=int, default=2)
    gh = sub.add_parser("grade-history")
    gh.add_argument("--manifest", required=True)
    gh.add_argument("--results", required=True)
    gh.add_argument("--json")
    s = sub.add_parser("staged")
    s.add_argument("--repo", required=True)
    s.add_argument("--manifest", required=True)
    s.add_argument("--files", type=int, default=10000)
    s.add_argument("--change-kb", type=int, default=1024)
    s.add_argument("--seed", type=int, default=3)
    gs = sub.add_parser("grade-staged")
    gs.add_argument("--manifest", required=True)
    gs.add_argument("--results", required=True)
    gs.add_argument("--json")
    r = sub.add_parser("regexes")
    r.add_argument("--rules", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--engine", choices=("default", "pcre2"), default="pcre2")
    r.add_argument("--fit", action="store_true",
                   help="keep the longest prefix that compiles as one regex")
    a = ap.parse_args()
    return {"tree": cmd_tree, "grade": cmd_grade, "history": cmd_history,
            "grade-history": cmd_grade_history, "staged": cmd_staged,
            "grade-staged": cmd_grade_staged, "regexes": cmd_regexes}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
