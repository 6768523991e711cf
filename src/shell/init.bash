# blinkline prompt for bash. Load it from ~/.bashrc with:  eval "$(blinkline init bash)"
# Needs bash 4.4 or newer (PS0); command durations need bash 5 (EPOCHREALTIME).
_blinkline_bin=@BLINKLINE@

_blinkline_precmd() {
    local _bl_status=$? _bl_pipe=("${PIPESTATUS[@]}")
    local _bl_duration=
    if [[ -n ${_blinkline_start-} && -n ${EPOCHREALTIME-} ]]; then
        local _bl_now=${EPOCHREALTIME//[!0-9]/}
        _bl_duration=$(( (_bl_now - _blinkline_start) / 1000 ))
    fi
    _blinkline_start=
    local _bl_jobs
    _bl_jobs=$(jobs -p | wc -l)
    PS1="$("$_blinkline_bin" prompt --shell bash --status "$_bl_status" \
        --pipestatus "${_bl_pipe[*]}" ${_bl_duration:+--duration "$_bl_duration"} \
        --jobs "$_bl_jobs")"
    return "$_bl_status"
}

# The start time is taken in the shell itself when a command begins (no process).
if [[ -n ${EPOCHREALTIME-} && ${PS0-} != *_blinkline_start* ]]; then
    PS0='${_blinkline_start:0:$((_blinkline_start=${EPOCHREALTIME//[!0-9]/},0))}'"${PS0-}"
fi

# Run first, so that $? and PIPESTATUS are the user's command's; keep what was there.
if [[ ${PROMPT_COMMAND[*]-} != *_blinkline_precmd* ]]; then
    if (( BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1) )); then
        PROMPT_COMMAND=(_blinkline_precmd "${PROMPT_COMMAND[@]}")
    else
        PROMPT_COMMAND="_blinkline_precmd${PROMPT_COMMAND:+; $PROMPT_COMMAND}"
    fi
fi
PS2="$("$_blinkline_bin" prompt --shell bash --continuation)"
