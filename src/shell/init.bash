# blinkline prompt for bash. Load it from ~/.bashrc with:  eval "$(blinkline init bash)"
# Needs bash 4.4 or newer (PS0); command durations need bash 5 (EPOCHREALTIME).
_blinkline_bin=@BLINKLINE@
# The render flags given to `blinkline init` (--widgets, --theme, …), passed to every prompt.
_blinkline_flags=(@FLAGS@)
# Every variable the integration reads is set here: one inherited from the environment
# (`_blinkline_start='a[$(cmd)]'`) would otherwise reach arithmetic, which runs it.
_blinkline_last_bg=${!:-} _blinkline_ran= _blinkline_stale_pipe= _blinkline_start= _blinkline_ps1=

_blinkline_precmd() {
    local _bl_status=$? _bl_pipe=("${PIPESTATUS[@]}")
    local _bl_duration=
    local _bl_now=${EPOCHREALTIME-}
    _bl_now=${_bl_now//[!0-9]/}
    # Digits only before arithmetic: bash evaluates a variable's value as an expression.
    if [[ -n $_bl_now && -n ${_blinkline_start-} && $_blinkline_start != *[!0-9]* ]]; then
        _bl_duration=$(( (10#$_bl_now - 10#$_blinkline_start) / 1000 ))
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
    _blinkline_ps1="$("$_blinkline_bin" prompt "${_blinkline_flags[@]}" --shell bash \
        --status "$_bl_status" --pipestatus "${_bl_pipe[*]}" \
        ${_bl_duration:+--duration "$_bl_duration"} --jobs "$_bl_jobs" --shlvl "${SHLVL:-}")"
    # Shown through a reference: bash decodes and expands PS1 itself, never the value of a
    # parameter in it, so names in the prompt stay text in any locale. Bash expands PS1
    # with promptvars on or in POSIX mode; otherwise the reference would show as it is,
    # nothing is expanded, and PS1 holds the text with `\` (which bash still decodes)
    # doubled.
    if shopt -q promptvars || [[ -o posix ]]; then
        PS1='${_blinkline_ps1}'
    else
        PS1=${_blinkline_ps1//\\/\\\\}
    fi
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
