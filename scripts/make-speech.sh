#!/usr/bin/env bash
# Makes examples/data/speech.wav: four English phrases spoken by espeak-ng, each trimmed of its own
# leading/trailing silence, joined by known silences, over faint white noise (so the silences are not
# digital zero), 16 kHz mono 16-bit. Writes examples/data/speech.segments.json with where the speech is.
# Needs Debian's espeak-ng and sox (apt-get install espeak-ng sox). Deterministic: sox's noise uses -R.
set -euo pipefail
cd "$(dirname "$0")/.."
out=examples/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

phrases=(
  "The quick brown fox jumps over the lazy dog."
  "Recurrent networks carry their state from one frame to the next."
  "Streaming inference at the edge."
  "Thank you, and goodbye."
)
gaps=(1.0 1.5 1.2 2.0 1.0)   # silence before phrase 1, between phrases, after the last

sox -R -n -r 16000 -c 1 -b 16 "$tmp/gap0.wav" trim 0 "${gaps[0]}"
parts=("$tmp/gap0.wav")
t=${gaps[0]}
segments=""
for i in "${!phrases[@]}"; do
  espeak-ng -v en-us -s 150 -w "$tmp/raw$i.wav" "${phrases[$i]}"
  # 16 kHz mono, trim espeak's own leading and trailing silence (below 0.5% for 20 ms)
  sox -R "$tmp/raw$i.wav" -r 16000 -c 1 -b 16 "$tmp/p$i.wav" silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse
  d=$(soxi -D "$tmp/p$i.wav")
  start=$t
  t=$(python3 -c "print(round($t + $d, 4))")
  segments="$segments{\"start\": $start, \"end\": $t, \"text\": \"${phrases[$i]}\"},"
  g=${gaps[$((i + 1))]}
  sox -R -n -r 16000 -c 1 -b 16 "$tmp/gap$((i + 1)).wav" trim 0 "$g"
  parts+=("$tmp/p$i.wav" "$tmp/gap$((i + 1)).wav")
  t=$(python3 -c "print(round($t + $g, 4))")
done
sox -R "${parts[@]}" "$tmp/clean.wav"
total=$(soxi -D "$tmp/clean.wav")
sox -R -n -r 16000 -c 1 -b 16 "$tmp/noise.wav" synth "$total" whitenoise vol 0.003
sox -R -m "$tmp/clean.wav" "$tmp/noise.wav" -b 16 "$out/speech.wav"
printf '{\n  "file": "speech.wav",\n  "sampleRate": 16000,\n  "durationSeconds": %s,\n  "speech": [%s]\n}\n' \
  "$total" "${segments%,}" > "$out/speech.segments.json"
echo "wrote $out/speech.wav ($total s) and $out/speech.segments.json"
