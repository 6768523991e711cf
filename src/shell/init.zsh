# blinkline prompt for zsh. Load it from ~/.zshrc with:  eval "$(blinkline init zsh)"
_blinkline_bin=@BLINKLINE@
zmodload zsh/datetime zsh/parameter 2>/dev/null
typeset -g _blinkline_keymap=main _blinkline_start= _blinkline_left= _blinkline_right=
typeset -g _blinkline_last_bg=$! _blinkline_ran= _blinkline_stale_pipe=
# Every variable the integration reads is set here, none taken from the environment.
typeset -g _blinkline_status=0 _blinkline_duration=
typeset -ga _blinkline_pipe
_blinkline_pipe=()
# The render flags given to `blinkline init` (--widgets, --theme, …), passed to every prompt.
typeset -ga _blinkline_flags
_blinkline_flags=(@FLAGS@)

_blinkline_preexec() {
    _blinkline_start=$EPOCHREALTIME _blinkline_ran=1
}

_blinkline_render() {
    local -a _bl_args
    # Jobs still running or suspended: finished ones stay in jobstates until reported.
    local -a _bl_live
    _bl_live=(${(M)${(v)jobstates}:#(running|suspended):*})
    _bl_args=("${_blinkline_flags[@]}" --shell zsh --status "$_blinkline_status"
        --pipestatus "${_blinkline_pipe[*]}" --jobs "${#_bl_live}" --keymap "$_blinkline_keymap")
    [[ -n $_blinkline_duration ]] && _bl_args+=(--duration "$_blinkline_duration")
    _blinkline_left="$("$_blinkline_bin" prompt "${_bl_args[@]}")"
    _blinkline_right="$("$_blinkline_bin" prompt --right "${_bl_args[@]}")"
    # The init turns prompt_bang off; should something turn it on again, `!!` shows as `!`.
    if [[ -o prompt_bang ]]; then
        _blinkline_left=${_blinkline_left//'!'/'!!'}
        _blinkline_right=${_blinkline_right//'!'/'!!'}
    fi
}

_blinkline_precmd() {
    # One command line, so that both are read before anything changes them.
    _blinkline_status=$? _blinkline_pipe=("${pipestatus[@]}")
    # A command line that started a background job (`cmd &`) leaves pipestatus as the
    # pipeline before it set it: a new `$!` says so, and only `$?` is current. An empty
    # line changes neither, so that verdict holds until a command line runs again.
    if [[ $! != $_blinkline_last_bg ]]; then
        _blinkline_last_bg=$!
        _blinkline_stale_pipe=1
    elif [[ -n $_blinkline_ran ]]; then
        _blinkline_stale_pipe=
    fi
    _blinkline_ran=
    [[ -n $_blinkline_stale_pipe ]] && _blinkline_pipe=($_blinkline_status)
    _blinkline_duration=
    if [[ -n $_blinkline_start ]]; then
        local -i _bl_ms=$(( (EPOCHREALTIME - _blinkline_start) * 1000 ))
        _blinkline_duration=$_bl_ms
        _blinkline_start=
    fi
    _blinkline_keymap=main
    _blinkline_render
}

# vi mode: redraw the prompt when the keymap changes, unless the user has their own hook.
if (( ! ${+widgets[zle-keymap-select]} )); then
    _blinkline_keymap_select() {
        _blinkline_keymap=$KEYMAP
        _blinkline_render
        zle reset-prompt
    }
    zle -N zle-keymap-select _blinkline_keymap_select
fi

autoload -Uz add-zsh-hook
# First in the list, so that $? and pipestatus are the user's command's.
precmd_functions=(_blinkline_precmd ${precmd_functions:#_blinkline_precmd})
add-zsh-hook preexec _blinkline_preexec
setopt prompt_subst
# The prompt is all blinkline's: `!` in a directory name is text, not the history number
# (and doubled at render time if the option is on again then).
unsetopt prompt_bang
PROMPT='${_blinkline_left}'
RPROMPT='${_blinkline_right}'
PROMPT2="$("$_blinkline_bin" prompt "${_blinkline_flags[@]}" --shell zsh --continuation)"
