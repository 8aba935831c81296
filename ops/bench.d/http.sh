# shellcheck shell=bash
# HTTP helpers shared by ops/bench and ops/bench.d/client (source this file).

bench_token_re='<input[^>]*name="__RequestVerificationToken"[^>]*value="([^"]*)"'

# bench_form_token JAR URL: GET URL with cookie jar JAR (keeping the cookies it sets) and
# print the page's antiforgery token.
bench_form_token() {
  local page
  page="$(curl -sS --max-time 20 -c "$1" -b "$1" "$2")" || return 1
  [[ $page =~ $bench_token_re ]] || return 1
  echo "${BASH_REMATCH[1]}"
}

# bench_post JAR URL EXPECTED_LOCATION [curl arguments...]: POST a form with cookie jar JAR;
# fails (printing what came back) unless the answer is 303 to EXPECTED_LOCATION.
bench_post() {
  local jar=$1 url=$2 expected=$3 answer
  shift 3
  answer="$(curl -sS --max-time 20 -o /dev/null -c "$jar" -b "$jar" \
    -w '%{http_code} %header{location}' "$@" "$url")" || answer="curl-failed"
  if [[ $answer != "303 $expected" ]]; then
    echo "POST $url answered '$answer', expected '303 $expected'" >&2
    return 1
  fi
}

# bench_cookie_header JAR: the jar's cookies as a Cookie header value ("a=b; c=d").
bench_cookie_header() {
  awk -F'\t' '/^(#HttpOnly_)?[^#]/ && NF >= 7 { printf "%s%s=%s", (n++ ? "; " : ""), $6, $7 }' "$1"
}
