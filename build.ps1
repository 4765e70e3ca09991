#!/usr/bin/env pwsh
<#
.SYNOPSIS
  Build script for Durable.Fluent. Runs through the repository's local PowerShell tool:

      dotnet tool restore
      dotnet pwsh build.ps1 [-Task <restore|build|test|format|run|bench|all>] [-Configuration Release]

.DESCRIPTION
  restore  restores NuGet packages
  build    restore + build the solution (warnings are errors)
  test     build + install test tools (npm ci in test-tools/) + run every test project (*.Tests: unit, HTTP,
           S3 store, conformance, analyzers); writes one TRX per project to TestResults/ and prints
           "tests: N passed, N failed, N skipped" summed over them
  format   verifies formatting (whitespace and style) without changing files
  run      runs the main job: the example order workflow, end to end on the local durable service
  bench    runs the BenchmarkDotNet suite in bench/
  all      build + format + test (the default)
#>
param(
    [ValidateSet('restore', 'build', 'test', 'format', 'run', 'bench', 'all')]
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

# Servers the tests start (s3rver for the S3 payload store tests), pinned in test-tools/package-lock.json. Installed with
# `npm ci` when missing or when the lock file changed since the last install; a missing npm is a loud failure, never a skip.
function TestTools {
    $tools = Join-Path $PSScriptRoot 'test-tools'
    $lock = Join-Path $tools 'package-lock.json'
    $stamp = Join-Path $tools 'node_modules/.durable-lock-hash'
    $hash = (Get-FileHash $lock -Algorithm SHA256).Hash
    if ((Test-Path (Join-Path $tools 'node_modules/s3rver/bin/s3rver.js')) -and (Test-Path $stamp) -and ((Get-Content $stamp -Raw) -eq $hash)) { return }
    if (-not (Get-Command npm -ErrorAction SilentlyContinue) -or -not (Get-Command node -ErrorAction SilentlyContinue)) {
        throw 'Node.js and npm are required by the test suite (it starts s3rver, a local S3-compatible server, for the S3 payload store tests). Install Node.js 18 or later and retry.'
    }
    Invoke-Step 'test tools (npm ci in test-tools/)' { npm ci --prefix $tools --no-audit --no-fund }
    Set-Content -Path $stamp -Value $hash -NoNewline
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
        if ($LASTEXITCODE -ne 0) { $testExit = $LASTEXITCODE }
        $trx = Join-Path $results "$name.trx"
        if (-not (Test-Path $trx)) { throw "No test results were written for $name ($trx); dotnet test exited with $LASTEXITCODE." }
        [xml]$doc = Get-Content $trx
        $c = $doc.TestRun.ResultSummary.Counters
        $passed += [int]$c.passed; $failed += [int]$c.failed; $skipped += [int]$c.total - [int]$c.executed
    }
    Write-Host ""
    Write-Host "tests: $passed passed, $failed failed, $skipped skipped"
    if ($testExit -ne 0) { exit $testExit }
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
    'run' { Run }
    'bench' { Bench }
    'all' { Build; Format; Test }
}
