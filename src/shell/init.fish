# blinkline prompt for fish. Load it from config.fish with:  blinkline init fish | source
set -g _blinkline_bin @BLINKLINE@

function fish_prompt
    set -g _blinkline_status $status
    set -g _blinkline_pipe $pipestatus
    set -g _blinkline_jobs (count (jobs -p))
    $_blinkline_bin prompt --shell fish --status $_blinkline_status --pipestatus "$_blinkline_pipe" \
        --duration "$CMD_DURATION" --jobs $_blinkline_jobs --keymap "$fish_bind_mode"
end

function fish_right_prompt
    $_blinkline_bin prompt --right --shell fish --status $_blinkline_status --pipestatus "$_blinkline_pipe" \
        --duration "$CMD_DURATION" --jobs $_blinkline_jobs --keymap "$fish_bind_mode"
end

# The prompt character shows the vi mode; fish's own indicator would repeat it.
function fish_mode_prompt
end
