# blinkline prompt for zsh. Load it from ~/.zshrc with:  eval "$(blinkline init zsh)"
_blinkline_bin=@BLINKLINE@
zmodload zsh/datetime zsh/parameter 2>/dev/null
typeset -g _blinkline_keymap=main _blinkline_start= _blinkline_left= _blinkline_right=

_blinkline_preexec() {
    _blinkline_start=$EPOCHREALTIME
}

_blinkline_render() {
    local -a _bl_args
    _bl_args=(--shell zsh --status "$_blinkline_status" --pipestatus "${_blinkline_pipe[*]}"
        --jobs "${#jobstates}" --keymap "$_blinkline_keymap")
    [[ -n $_blinkline_duration ]] && _bl_args+=(--duration "$_blinkline_duration")
    _blinkline_left="$("$_blinkline_bin" prompt "${_bl_args[@]}")"
    _blinkline_right="$("$_blinkline_bin" prompt --right "${_bl_args[@]}")"
}

_blinkline_precmd() {
    # One command line, so that both are read before anything changes them.
    _blinkline_status=$? _blinkline_pipe=("${pipestatus[@]}")
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
PROMPT='${_blinkline_left}'
RPROMPT='${_blinkline_right}'
PROMPT2="$("$_blinkline_bin" prompt --shell zsh --continuation)"
