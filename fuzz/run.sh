#!/usr/bin/env bash
# Coverage-guided fuzzing of one IronLB parser with AFL++ and SharpFuzz (fuzz/README.md).
#   fuzz/run.sh TARGET [SECONDS]      fuzz for SECONDS (default 300), then minimise into fuzz/corpus/TARGET
#   fuzz/run.sh list                  the targets
# Work files go to fuzz/out/TARGET (ignored by git); crashes are printed and replayed at the end.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
target="${1:?usage: fuzz/run.sh TARGET [SECONDS] | list}"
budget="${2:-300}"
out="$here/out"
build="$out/build"
export PATH="$PATH:$HOME/.dotnet/tools"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Tools: AFL++ from Debian, the SharpFuzz instrumenter as a .NET global tool (same version as the package).
if ! command -v afl-fuzz >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends afl++ >/dev/null
fi
sharpfuzz_version="$(sed -n 's/.*Include="SharpFuzz" Version="\([^"]*\)".*/\1/p' "$repo/Directory.Packages.props")"
if ! command -v sharpfuzz >/dev/null; then
  dotnet tool install --global SharpFuzz.CommandLine --version "$sharpfuzz_version" >/dev/null
fi

# One Release build shared by all targets; each target instruments its own copy, since sharpfuzz edits in place.
# FUZZ_KEEP_BUILD=1 reuses the last build even when sources changed (a campaign over every target while editing).
if [[ ! -f "$build/IronLb.Fuzz.dll" ]] || [[ -z "${FUZZ_KEEP_BUILD:-}" && -n "$(find "$repo/src" "$here/IronLb.Fuzz" -name '*.cs' -newer "$build/IronLb.Fuzz.dll" -print -quit)" ]]; then
  mkdir -p "$out"
  nice dotnet build "$here/IronLb.Fuzz" -c Release -o "$build" > "$out/build.log" 2>&1 || { grep -E 'error' "$out/build.log" | sort -u; exit 1; }
fi
dotnet="$(command -v dotnet)"
fuzz() { "$dotnet" "$build/IronLb.Fuzz.dll" "$@"; }
if [[ "$target" == list ]]; then fuzz list; exit 0; fi
fuzz instrument "$target" >/dev/null || { fuzz list; exit 2; }

work="$out/$target"
rm -rf "$work/bin" "$work/seeds"
mkdir -p "$work/bin" "$work/seeds" "$out"
cp -r "$build/." "$work/bin/"
for assembly in $(fuzz instrument "$target"); do
  sharpfuzz "$work/bin/$assembly" >/dev/null
done

# Seeds: the kept corpus, the target's own built-in inputs, and for manifests the repository's examples.
if compgen -G "$here/corpus/$target/*" >/dev/null; then cp "$here/corpus/$target/"* "$work/seeds/"; fi
fuzz seed "$target" "$work/seeds"
case "$target" in
  manifest-yaml) find "$repo/examples" "$repo/deploy" -name '*.yaml' -size -16k | head -60 | while read -r f; do cp "$f" "$work/seeds/ex-$(echo "$f" | md5sum | cut -c1-8).yaml"; done ;;
  manifest-json) find "$repo/examples" "$repo/deploy" -name '*.json' -size -16k | head -30 | while read -r f; do cp "$f" "$work/seeds/ex-$(echo "$f" | md5sum | cut -c1-8).json"; done ;;
esac
if ! compgen -G "$work/seeds/*" >/dev/null; then printf '{}' > "$work/seeds/empty-object"; fi

dict=()
if [[ -f "$here/dict/$target.dict" ]]; then dict=(-x "$here/dict/$target.dict"); fi

# -t: a parser that takes 10 s on one input is a hang worth recording (generous: the machine is shared and .NET
# builds caches on first use). AFL++ 4.x stops by itself after -V seconds.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
rm -rf "$work/findings"
nice afl-fuzz -i "$work/seeds" -o "$work/findings" -t 10000 -m none -V "$budget" "${dict[@]}" \
  -- "$dotnet" "$work/bin/IronLb.Fuzz.dll" afl "$target" > "$work/afl.log" 2>&1 || { tail -40 "$work/afl.log"; exit 1; }

stats="$work/findings/default/fuzzer_stats"
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg)' "$stats" | sed 's/ *: */=/' | tr '\n' ' '
echo

# Keep a minimised corpus: afl-cmin keeps the smallest inputs that cover every edge; at most 200 files.
rm -rf "$work/cmin"
if ! AFL_PATH=/usr/lib/afl timeout 900 nice afl-cmin -i "$work/findings/default/queue" -o "$work/cmin" -t 5000 -m none \
    -- "$dotnet" "$work/bin/IronLb.Fuzz.dll" afl "$target" > "$work/cmin.log" 2>&1; then
  echo "afl-cmin failed (see $work/cmin.log); keeping the queue's smallest files"
  mkdir -p "$work/cmin" && ls -S -r "$work/findings/default/queue"/id* | head -200 | xargs -I{} cp {} "$work/cmin/"
fi
rm -rf "$here/corpus/$target" && mkdir -p "$here/corpus/$target"
i=0
for f in $(ls -S -r "$work/cmin"/* | head -200); do
  if [[ $(stat -c %s "$f") -le 16384 ]]; then cp "$f" "$here/corpus/$target/$(printf '%04d' $i)"; i=$((i + 1)); fi
done
echo "corpus: $i files in fuzz/corpus/$target"

if compgen -G "$work/findings/default/crashes/id*" >/dev/null || compgen -G "$work/findings/default/hangs/id*" >/dev/null; then
  echo "CRASHES OR HANGS: replaying them"
  fuzz replay "$target" $(ls "$work/findings/default/crashes"/id* "$work/findings/default/hangs"/id* 2>/dev/null) || true
  exit 1
fi
