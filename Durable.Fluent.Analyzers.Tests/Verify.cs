using System.Collections.Immutable;
using Durable.Fluent.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Durable.Fluent.Analyzers.Tests;

/// <summary>
/// Runs analyzers and code fixes over test sources that reference the real Durable.Fluent assembly. Reference assemblies are
/// the .NET 10 set from Basic.Reference.Assemblies (restored with the project), so nothing is downloaded at test time.
/// </summary>
internal static class Verify
{
    /// <summary>The usings and types every test source can rely on (a second file of the test project).</summary>
    public const string Prelude = """
        global using System;
        global using System.Collections.Generic;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Durable.Fluent;
        global using Durable.Fluent.Retries;

        public sealed record Order(string Id, decimal Amount, string[] Items);
        public sealed record Receipt(string Status);
        public sealed record Approval(bool Approved);

        public static class Services
        {
            public static Receipt Charge(Order o) => new("ok");
            public static Task<Receipt> ChargeAsync(Order o, CancellationToken ct = default) => Task.FromResult(new Receipt("ok"));
            public static ValueTask<Receipt> ChargeValueAsync(Order o) => new(new Receipt("ok"));
            public static Task SendAsync(Order o, CancellationToken ct = default) => Task.CompletedTask;
            public static void Send(Order o) { }
        }
        """;

    // A fresh ReferenceAssemblies without a NuGet package: the framework references are added explicitly below.
    private static readonly ReferenceAssemblies Net100 = new("net10.0");

    public static ImmutableArray<MetadataReference> References { get; } =
    [
        .. Basic.Reference.Assemblies.Net100.References.All,
        MetadataReference.CreateFromFile(typeof(Workflow).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Durable.Fluent.Testing.DurableTestRunner).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.Logging.ILogger).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Polly.ResiliencePipeline).Assembly.Location),
    ];

    public static async Task AnalyzerAsync<TAnalyzer>(string source, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            TestCode = source,
            ReferenceAssemblies = Net100,
        };
        Configure(test.TestState);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    public static async Task AnalyzerWithCompilerErrorsAsync<TAnalyzer>(string source, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            TestCode = source,
            ReferenceAssemblies = Net100,
            CompilerDiagnostics = CompilerDiagnostics.None,
        };
        Configure(test.TestState);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    public static async Task CodeFixAsync<TAnalyzer, TFix>(string source, string fixedSource)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TFix, DefaultVerifier>
        {
            TestCode = source,
            FixedCode = fixedSource,
            ReferenceAssemblies = Net100,
            CompilerDiagnostics = CompilerDiagnostics.Errors,
            // The API's DF0003 is a compile error ([Obsolete(error: true)]), which '#pragma warning disable' cannot suppress.
            TestBehaviors = TestBehaviors.SkipSuppressionCheck,
        };
        Configure(test.TestState);
        Configure(test.FixedState);
        await test.RunAsync();
    }

    /// <summary>Compiles <paramref name="sources"/> with every Durable.Fluent analyzer and returns all diagnostics (compiler and analyzer).</summary>
    public static async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(params string[] sources)
    {
        var compilation = Compile(sources);
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new DeterminismAnalyzer(), new TaskResultAnalyzer(), new MissingBuildAnalyzer(), new ChainRulesAnalyzer());
        var all = await compilation.WithAnalyzers(analyzers).GetAllDiagnosticsAsync();
        return [.. all.Where(d => d.Severity >= DiagnosticSeverity.Warning).OrderBy(d => d.Location.SourceSpan.Start)];
    }

    /// <summary>Compiles <paramref name="sources"/> (plus the prelude) against Durable.Fluent; no analyzers.</summary>
    public static CSharpCompilation Compile(params string[] sources)
        => CSharpCompilation.Create(
            "Snippet",
            [.. sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Latest), path: $"Source{i}.cs")), CSharpSyntaxTree.ParseText(Prelude, new CSharpParseOptions(LanguageVersion.Latest), path: "Prelude.cs")],
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    private static void Configure(SolutionState state)
    {
        state.Sources.Add(("Prelude.cs", Prelude));
        state.AdditionalReferences.AddRange(References);
    }
}
