# blinkline prompt for PowerShell. Load it from $PROFILE with:
#   Invoke-Expression (& blinkline init powershell | Out-String)
$global:_blinkline_bin = @BLINKLINE@
# The render flags given to `blinkline init` (--widgets, --theme, …), passed to every prompt.
$global:_blinkline_flags = @(@FLAGS@)
$global:_blinkline_last_id = -1

function global:prompt {
    # First, before anything resets them: the last command's success and exit code.
    $ok = $global:?
    $code = $global:LASTEXITCODE
    $status = 0
    if (-not $ok) {
        $status = 1
        if ($code -is [int] -and $code -ne 0) { $status = $code }
    }
    $arguments = @('prompt') + $global:_blinkline_flags + @('--shell', 'powershell', '--status', "$status")
    # The duration of the last command line, once (an empty line adds no history).
    $last = Get-History -Count 1
    if ($null -ne $last -and $last.Id -ne $global:_blinkline_last_id) {
        $global:_blinkline_last_id = $last.Id
        $ms = [long]($last.EndExecutionTime - $last.StartExecutionTime).TotalMilliseconds
        $arguments += @('--duration', "$ms")
    }
    $jobs = @(Get-Job | Where-Object { $_.State -in 'Running', 'Suspended' }).Count
    $arguments += @('--jobs', "$jobs")
    $width = $Host.UI.RawUI.WindowSize.Width
    if ($width -gt 0) { $arguments += @('--width', "$width") }
    # The output is returned as text: PowerShell shows a prompt's value, never evaluates it.
    $line = (& $global:_blinkline_bin @arguments) -join "`n"
    $global:LASTEXITCODE = $code
    $line
}
