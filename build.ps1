#!/usr/bin/env pwsh
<#
.SYNOPSIS
  Build script for Durable.Fluent. Runs through the repository's local PowerShell tool:

      dotnet tool restore
      dotnet pwsh build.ps1 [-Task <restore|build|test|format|api|run|bench|all>] [-Configuration Release]

.DESCRIPTION
  restore  restores NuGet packages
  build    restore + build the solution (warnings are errors)
  test     build + the tools the tests use (Node.js 20+ with npm and Debian's chromium, installed with apt-get when
           missing and running as root; npm ci of the pinned projects test-tools/ and Durable.Fluent.Tests/Interop/js)
           + run every test project (*.Tests: unit, HTTP, S3 store, conformance, interop, analyzers);
           writes one TRX per project to TestResults/ and prints
           "tests: N passed, N failed, N skipped" summed over them
  format   verifies formatting (whitespace and style) without changing files
  api      after a deliberate public API change: adds new public symbols to each package's PublicAPI.Unshipped.txt
           and removes deleted ones (what the PublicApiAnalyzers report as RS0016/RS0017); review the diff
  run      runs the main job: the example order workflow, end to end on the local durable service
  bench    runs the BenchmarkDotNet suite in bench/
  all      build + format + test (the default)
#>
param(
    [ValidateSet('restore', 'build', 'test', 'format', 'api', 'run', 'bench', 'all')]
    [string]$Task = 'all',
    [string]$Configuration = 'Release',
    [string]$Filter = ''
)

$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Invoke-Step([string]$name, [scriptblock]$body) {
    Write-Host "==> $name" -ForegroundColor Cyan
    & $body
    if ($LASTEXITCODE -ne 0) { throw "$name failed with exit code $LASTEXITCODE" }
}

function Restore { Invoke-Step 'restore' { dotnet restore Durable.Fluent.sln } }

function Build {
    Restore
    Invoke-Step 'build' { dotnet build Durable.Fluent.sln --no-restore -c $Configuration }
}

function Format {
    Invoke-Step 'format (verify)' { dotnet format whitespace Durable.Fluent.sln --verify-no-changes }
}

# The npm projects the tests use, each pinned by its package-lock.json and installed with `npm ci` when missing or when its
# lock file changed since the last install: test-tools/ (s3rver, a local S3-compatible server for the S3 payload store
# tests) and Durable.Fluent.Tests/Interop/js (the official AWS JavaScript clients the interop tests run against the local
# durable service). A missing or too old Node.js or npm is a loud failure, never a skip.
function Install-DebianPackages([string[]]$packages, [string]$why) {
    # A fresh machine: install what the tests need from Debian when this is root with apt-get; otherwise say exactly
    # what to install. Never a silent skip: the tests that need it would fail anyway, less clearly.
    $isRoot = (Get-Command id -ErrorAction SilentlyContinue) -and ((& id -u) -eq '0')
    if (-not ($isRoot -and (Get-Command apt-get -ErrorAction SilentlyContinue))) {
        throw "$why needs $($packages -join ', '), which is missing and cannot be installed here (not root, or no apt-get). Install it (Debian/Ubuntu: sudo apt-get install -y $($packages -join ' ')) and run the tests again."
    }
    Write-Host "==> apt-get install -y $($packages -join ' ')  ($why)" -ForegroundColor Cyan
    $env:DEBIAN_FRONTEND = 'noninteractive'
    # Up to three attempts (a fresh machine's mirrors can fail transiently), then a loud failure.
    for ($attempt = 1; ; $attempt++) {
        & apt-get update -qq | Out-Null
        & apt-get install -y -qq @packages
        if ($LASTEXITCODE -eq 0) { break }
        if ($attempt -ge 3) { throw "apt-get install $($packages -join ' ') failed (exit $LASTEXITCODE, $attempt attempts): $why cannot run." }
        Start-Sleep -Seconds 5
    }
}

function TestTools {
    # Node.js 20+ and npm: s3rver for the S3 payload store tests, the AWS JavaScript clients for the interop tests.
    if (-not (Get-Command node -ErrorAction SilentlyContinue) -or -not (Get-Command npm -ErrorAction SilentlyContinue)) {
        Install-DebianPackages @('nodejs', 'npm') 'the test suite (s3rver for the S3 payload store tests, the AWS JavaScript clients for the interop tests)'
    }
    $major = [int](& node -p 'process.versions.node.split(".")[0]')
    if ($major -lt 20) { throw "Node.js $(& node --version) is too old: the test suite needs Node.js 20 or later." }
    # Headless Chromium for the dashboard browser tests (Playwright drives /usr/bin/chromium; no browser download).
    if (-not (Get-Command chromium -ErrorAction SilentlyContinue)) {
        Install-DebianPackages @('chromium') 'the dashboard browser tests (category Browser)'
    }
    foreach ($dir in 'test-tools', 'Durable.Fluent.Tests/Interop/js') {
        $path = Join-Path $PSScriptRoot $dir
        $stamp = Join-Path $path 'node_modules/.durable-lock-hash'
        $hash = (Get-FileHash (Join-Path $path 'package-lock.json') -Algorithm SHA256).Hash
        if ((Test-Path $stamp) -and ((Get-Content $stamp -Raw).Trim() -eq $hash)) { continue }
        # A fresh machine's first download can fail on a transient network error: up to three attempts, then a loud failure.
        # A dependency's engines field is advisory here (@aws/durable-execution-sdk-js 2.4.0 asks for Node 22 and runs on
        # 20): --engine-strict=false keeps a machine-wide engine-strict setting from turning its warning into an error.
        for ($attempt = 1; ; $attempt++) {
            Write-Host "==> npm ci ($dir), attempt $attempt" -ForegroundColor Cyan
            & npm ci --prefix $path --no-audit --no-fund --engine-strict=false
            if ($LASTEXITCODE -eq 0) { break }
            if ($attempt -ge 3) { throw "npm ci ($dir) failed with exit code $LASTEXITCODE after $attempt attempts." }
            Start-Sleep -Seconds 5
        }
        Set-Content -Path $stamp -Value $hash -NoNewline
    }
}

function Test {
    Build
    TestTools
    $results = Join-Path $PSScriptRoot 'TestResults'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    # Every test project of the repository (<Name>.Tests/<Name>.Tests.csproj), each with its own TRX; the counts are summed.
    $projects = Get-ChildItem -Path $PSScriptRoot -Directory -Filter '*.Tests' |
        ForEach-Object { Join-Path $_.FullName "$($_.Name).csproj" } | Where-Object { Test-Path $_ } | Sort-Object
    if (-not $projects) { throw 'No test projects found (*.Tests/*.Tests.csproj).' }
    $testExit = 0
    $passed = 0; $failed = 0; $skipped = 0
    foreach ($project in $projects) {
        $name = [IO.Path]::GetFileNameWithoutExtension($project)
        $testArgs = @('test', $project, '--no-build', '-c', $Configuration,
            '--logger', "trx;LogFileName=$name.trx", '--results-directory', $results)
        if ($Filter) { $testArgs += @('--filter', $Filter) }
        Write-Host "==> test $name" -ForegroundColor Cyan
        & dotnet @testArgs
        $exit = $LASTEXITCODE
        if ($exit -ne 0) { $testExit = $exit }
        $trx = Join-Path $results "$name.trx"
        if (-not (Test-Path $trx)) {
            # No results at all (the test host crashed before writing them): the project counts as one failure, and the
            # other projects still run, so the summary line is never "0 failed" for a run that failed.
            Write-Host "No test results were written for $name ($trx); dotnet test exited with $exit." -ForegroundColor Red
            $failed += 1
            if ($testExit -eq 0) { $testExit = 1 }
            continue
        }
        [xml]$doc = Get-Content $trx
        $c = $doc.TestRun.ResultSummary.Counters
        $passed += [int]$c.passed; $failed += [int]$c.failed; $skipped += [int]$c.total - [int]$c.executed
        if ($exit -ne 0 -and [int]$c.failed -eq 0) {
            # dotnet test failed without a failed result (a crashed or aborted test host: the tests it did not finish have
            # no outcome): one failure, so the summary line agrees with the exit code.
            Write-Host "dotnet test $name exited with $exit but its results record no failed test (the test host crashed or was aborted): counted as 1 failed." -ForegroundColor Red
            $failed += 1
        }
    }
    Write-Host ""
    Write-Host "tests: $passed passed, $failed failed, $skipped skipped"
    if ($testExit -ne 0) { exit $testExit }
}

function UpdatePublicApi {
    # Rebuild the library packages with the analyzers' findings as warnings, then apply them: RS0016 (a public symbol
    # missing from the files) appends the symbol, exactly as the analyzer prints it, to PublicAPI.Unshipped.txt;
    # RS0017 (a listed symbol that is gone) removes its line from whichever file lists it.
    Restore
    # LocalService references Durable.Fluent and Durable.Fluent.Testing, so two rebuilds report all four packages.
    $added = @{}; $removed = @{}
    foreach ($project in @('Durable.Fluent.LocalService', 'Durable.Fluent.S3')) {
        $log = & dotnet build "$project/$project.csproj" -c $Configuration --no-restore --no-incremental `
            -p:TreatWarningsAsErrors=false -p:BuildProjectReferences=true 2>&1
        foreach ($line in $log) {
            if ($line -match "warning RS0016: Symbol '(.+?)' is not part of the declared public API.*\[(.+?)\.csproj") {
                $dir = Split-Path -Parent $Matches[2]; if (-not $added[$dir]) { $added[$dir] = [System.Collections.Generic.SortedSet[string]]::new([StringComparer]::Ordinal) }
                [void]$added[$dir].Add($Matches[1])
            }
            elseif ($line -match "warning RS0017: Symbol '(.+?)' is part of the declared API.*\[(.+?)\.csproj") {
                $dir = Split-Path -Parent $Matches[2]; if (-not $removed[$dir]) { $removed[$dir] = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::Ordinal) }
                [void]$removed[$dir].Add($Matches[1])
            }
        }
    }
    foreach ($dir in $removed.Keys) {
        foreach ($file in @('PublicAPI.Shipped.txt', 'PublicAPI.Unshipped.txt')) {
            $path = Join-Path $dir $file
            $kept = Get-Content $path | Where-Object { -not $removed[$dir].Contains($_) }
            Set-Content -Path $path -Value $kept
        }
        Write-Host "${dir}: removed $($removed[$dir].Count) symbol(s)"
    }
    foreach ($dir in $added.Keys) {
        Add-Content -Path (Join-Path $dir 'PublicAPI.Unshipped.txt') -Value ([string[]]@($added[$dir]))
        Write-Host "${dir}: added $($added[$dir].Count) symbol(s) to PublicAPI.Unshipped.txt"
    }
    if ($added.Count -eq 0 -and $removed.Count -eq 0) { Write-Host 'The PublicAPI files already match the public surface.' }
    else { Write-Host 'Review the changes: git diff -- */PublicAPI.*.txt' }
}

function Run {
    Invoke-Step 'run example' { dotnet run --project examples/OrderProcessing/OrderProcessing.csproj -c $Configuration -- @args }
}

function Bench {
    Invoke-Step 'bench' { dotnet run --project bench/Durable.Fluent.Benchmarks/Durable.Fluent.Benchmarks.csproj -c Release -- --filter '*' }
}

switch ($Task) {
    'restore' { Restore }
    'build' { Build }
    'test' { Test }
    'format' { Format }
    'api' { UpdatePublicApi }
    'run' { Run }
    'bench' { Bench }
    'all' { Build; Format; Test }
}
