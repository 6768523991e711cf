# blinkline prompt for bash. Load it from ~/.bashrc with:  eval "$(blinkline init bash)"
# Needs bash 4.4 or newer (PS0); command durations need bash 5 (EPOCHREALTIME).
_blinkline_bin=@BLINKLINE@
# The render flags given to `blinkline init` (--widgets, --theme, …), passed to every prompt.
_blinkline_flags=(@FLAGS@)
_blinkline_last_bg=${!:-} _blinkline_ran= _blinkline_stale_pipe=

_blinkline_precmd() {
    local _bl_status=$? _bl_pipe=("${PIPESTATUS[@]}")
    local _bl_duration=
    if [[ -n ${_blinkline_start-} && -n ${EPOCHREALTIME-} ]]; then
        local _bl_now=${EPOCHREALTIME//[!0-9]/}
        _bl_duration=$(( (_bl_now - _blinkline_start) / 1000 ))
    fi
    _blinkline_start=
    # A command line that started a background job (`cmd &`) leaves PIPESTATUS as the
    # pipeline before it set it: a new `$!` says so, and only `$?` is current. An empty
    # line changes neither, so that verdict holds until a command line runs again
    # (`_blinkline_ran`, set by PS0).
    if [[ ${!:-} != "$_blinkline_last_bg" ]]; then
        _blinkline_last_bg=${!:-}
        _blinkline_stale_pipe=1
    elif [[ -n $_blinkline_ran ]]; then
        _blinkline_stale_pipe=
    fi
    _blinkline_ran=
    [[ -n $_blinkline_stale_pipe ]] && _bl_pipe=("$_bl_status")
    # `\j` counts the jobs still running or stopped (finished ones not yet reported by
    # `jobs` are left out), without starting a process.
    local _bl_jobs='\j'
    _bl_jobs=${_bl_jobs@P}
    # SHLVL is passed, not read by blinkline: bash lowers it for a program that a command
    # substitution runs as its last command.
    PS1="$("$_blinkline_bin" prompt "${_blinkline_flags[@]}" --shell bash \
        --status "$_bl_status" --pipestatus "${_bl_pipe[*]}" \
        ${_bl_duration:+--duration "$_bl_duration"} --jobs "$_bl_jobs" --shlvl "${SHLVL:-}")"
    return "$_bl_status"
}

# PS0 is expanded when a command line (not an empty one) starts to run.
if [[ ${PS0-} != *_blinkline_ran* ]]; then
    PS0='${_blinkline_ran:0:$((_blinkline_ran=1,0))}'"${PS0-}"
fi
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
PS2="$("$_blinkline_bin" prompt "${_blinkline_flags[@]}" --shell bash --continuation)"
