# blinkline prompt for fish. Load it from config.fish with:  blinkline init fish | source
set -g _blinkline_bin @BLINKLINE@
# The render flags given to `blinkline init` (--widgets, --theme, …), passed to every prompt.
set -g _blinkline_flags @FLAGS@
# Every variable the integration reads is set here, none taken from the environment.
set -g _blinkline_last_bg $last_pid
set -g _blinkline_ran
set -g _blinkline_stale_pipe
set -g _blinkline_status 0
set -g _blinkline_pipe 0
set -g _blinkline_jobs 0
set -g _blinkline_keymap insert

function _blinkline_preexec --on-event fish_preexec
    set -g _blinkline_ran 1
end

function fish_prompt
    # pipestatus first: `set` keeps $status but not $pipestatus.
    set -g _blinkline_pipe $pipestatus
    set -g _blinkline_status $status
    # A command line that started a background job (`cmd &`) leaves $pipestatus as the
    # pipeline before it set it: a new $last_pid says so, and only $status is current. An
    # empty line changes neither, so that verdict holds until a command line runs again.
    if test "$last_pid" != "$_blinkline_last_bg"
        set -g _blinkline_last_bg $last_pid
        set -g _blinkline_stale_pipe 1
    else if set -q _blinkline_ran[1]
        set -g _blinkline_stale_pipe
    end
    set -g _blinkline_ran
    if set -q _blinkline_stale_pipe[1]
        set -g _blinkline_pipe $_blinkline_status
    end
    set -g _blinkline_jobs (count (jobs -p))
    # The bind mode is "default" in emacs mode too: it means vi command mode only with vi keys.
    set -g _blinkline_keymap insert
    if test "$fish_key_bindings" = fish_vi_key_bindings
        set -g _blinkline_keymap $fish_bind_mode
    end
    $_blinkline_bin prompt $_blinkline_flags --shell fish --status $_blinkline_status --pipestatus "$_blinkline_pipe" \
        --duration "$CMD_DURATION" --jobs $_blinkline_jobs --keymap $_blinkline_keymap
end

function fish_right_prompt
    $_blinkline_bin prompt $_blinkline_flags --right --shell fish --status $_blinkline_status --pipestatus "$_blinkline_pipe" \
        --duration "$CMD_DURATION" --jobs $_blinkline_jobs --keymap $_blinkline_keymap
end

# The prompt character shows the vi mode; fish's own indicator would repeat it.
function fish_mode_prompt
end
