# blinkline prompt for fish. Load it from config.fish with:  blinkline init fish | source
set -g _blinkline_bin @BLINKLINE@

function fish_prompt
    # pipestatus first: `set` keeps $status but not $pipestatus.
    set -g _blinkline_pipe $pipestatus
    set -g _blinkline_status $status
    set -g _blinkline_jobs (count (jobs -p))
    # The bind mode is "default" in emacs mode too: it means vi command mode only with vi keys.
    set -g _blinkline_keymap insert
    if test "$fish_key_bindings" = fish_vi_key_bindings
        set -g _blinkline_keymap $fish_bind_mode
    end
    $_blinkline_bin prompt --shell fish --status $_blinkline_status --pipestatus "$_blinkline_pipe" \
        --duration "$CMD_DURATION" --jobs $_blinkline_jobs --keymap $_blinkline_keymap
end

function fish_right_prompt
    $_blinkline_bin prompt --right --shell fish --status $_blinkline_status --pipestatus "$_blinkline_pipe" \
        --duration "$CMD_DURATION" --jobs $_blinkline_jobs --keymap $_blinkline_keymap
end

# The prompt character shows the vi mode; fish's own indicator would repeat it.
function fish_mode_prompt
end
