using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Durable.Fluent.Analyzers;

/// <summary>
/// DF0001: non-deterministic or side-effecting APIs inside orchestration code — the lambdas that run on every replay (Select,
/// Do, If/Switch predicates, computed names, map item sources and functions, combine/onTimeout/fallback functions, wait-strategy
/// predicates). It binds each invocation to the Durable.Fluent method and looks only at the parameters that are orchestration
/// code; step bodies (<c>Then</c>, submitters, condition checks, compensations) are never inspected.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DeterminismAnalyzer : FluentAnalyzer
{
    // (declaring type name, method name, parameter name) → how the message names the code.
    private static readonly Dictionary<(string Type, string Method, string Parameter), string> OrchestrationParameters = new()
    {
        [("WorkflowBuilder", "Select", "map")] = "A Select function",
        [("WorkflowBuilder", "Do", "action")] = "A Do action",
        [("WorkflowBuilder", "If", "predicate")] = "An If predicate",
        [("WorkflowBuilder", "Switch", "selector")] = "A Switch selector",
        [("WorkflowBuilder", "Map", "items")] = "A Map item source",
        [("WorkflowBuilder", "Map", "map")] = "A Map function",
        [("WorkflowBuilder", "AwaitCallback", "onTimeout")] = "An onTimeout function",
        [("WorkflowBuilder", "AwaitCallbackAndCombine", "combine")] = "A combine function",
        [("WorkflowBuilder", "AwaitCallbackAndCombine", "onTimeout")] = "An onTimeout function",
        [("WorkflowBuilder", "WaitForCallback", "combine")] = "A combine function",
        [("WorkflowBuilder", "WaitForCallback", "onTimeout")] = "An onTimeout function",
        [("WorkflowBuilder", "Invoke", "payload")] = "An Invoke payload function",
        [("WorkflowBuilder", "Saga", "onCompensated")] = "An onCompensated function",
        [("WorkflowBuilder", "WaitForCondition", "strategy")] = "A wait-strategy factory",
        [("CatchBuilder", "Catch", "handler")] = "A Catch fallback function",
        [("OperationName", "FromInput", "selector")] = "A computed operation name",
        [("OperationName", "From", "selector")] = "A computed operation name",
        [("MapConfigurator", "ItemName", "namer")] = "An ItemName function",
        [("InvokeConfigurator", "TenantId", "tenantId")] = "A TenantId function",
        [("WaitStrategy", "Exponential", "shouldContinuePolling")] = "A wait-strategy predicate",
        [("WaitStrategy", "Linear", "shouldContinuePolling")] = "A wait-strategy predicate",
        [("WaitStrategy", "Fixed", "shouldContinuePolling")] = "A wait-strategy predicate",
        [("WaitStrategy", "FromDelegate", "decide")] = "A wait-strategy function",
    };

    private const string ReadsClock = "reads the clock";
    private const string Random = "produces a random value";
    private const string DoesIo = "does I/O";
    private const string Sleeps = "waits in real time";
    private const string StaticState = "uses static mutable state";
    private const string CapturedState = "changes state captured from outside the function";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.NonDeterministicOrchestrationCode);

    /// <inheritdoc />
    private protected override void Register(CompilationStartAnalysisContext context, FluentSymbols symbols)
        => context.RegisterOperationAction(Analyze, OperationKind.Invocation);

    private static void Analyze(OperationAnalysisContext context)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (!FluentSymbols.IsFluentMethod(method))
        {
            return;
        }

        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is null
                || !OrchestrationParameters.TryGetValue((method.ContainingType.Name, method.Name, argument.Parameter.Name), out var kind))
            {
                continue;
            }

            if (FluentSymbols.Lambda(argument) is { } lambda)
            {
                Inspect(context, new Scope(lambda.Syntax, lambda.Symbol, null), lambda.Body, kind);
            }
            else if (MethodGroup(argument) is { } group)
            {
                InspectMethodGroup(context, group, kind);
            }
        }
    }

    /// <summary>
    /// A method group passed as orchestration code (<c>.Select(MakeKey)</c>): the method runs on every replay like a lambda
    /// would. A method of the library or the framework is judged by what it is (<c>.Map("lines", File.ReadAllLines, ...)</c>);
    /// a method declared in source is inspected like a lambda body (one level: the methods it calls are not followed, as for
    /// lambdas). Findings are reported on the method group, the line that hands the method to the workflow, with the API's
    /// place inside the method as an additional location.
    /// </summary>
    private static void InspectMethodGroup(OperationAnalysisContext context, IMethodReferenceOperation group, string kind)
    {
        var method = group.Method;
        var named = $"{kind} (the method '{method.Name}')";
        if (Member(method, method.IsStatic, isWrite: false) is { } direct)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.NonDeterministicOrchestrationCode, group.Syntax.GetLocation(), named, direct.Api, direct.Reason));
            return;
        }

        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            var declaration = reference.GetSyntax(context.CancellationToken);
            var model = declaration.SyntaxTree == group.Syntax.SyntaxTree
                ? group.SemanticModel
#pragma warning disable RS1030 // The method group's body can be in another file of the compilation; it is read once per method group passed as orchestration code.
                : context.Compilation.GetSemanticModel(declaration.SyntaxTree);
#pragma warning restore RS1030
            if (model?.GetOperation(declaration, context.CancellationToken) is not { } body)
            {
                continue;
            }

            Inspect(context, new Scope(declaration, method, group.Syntax), body, named);
        }
    }

    private static IMethodReferenceOperation? MethodGroup(IArgumentOperation argument)
    {
        var op = argument.Value;
        while (op is IConversionOperation c)
        {
            op = c.Operand;
        }

        return (op as IDelegateCreationOperation)?.Target as IMethodReferenceOperation;
    }

    /// <summary>
    /// The orchestration function being inspected: its syntax (locals declared inside are its own), its symbol (its own
    /// parameters may be written) and, for a method group, where to report (the method group), else null (the finding itself).
    /// </summary>
    private sealed class Scope(SyntaxNode syntax, ISymbol? owner, SyntaxNode? reportAt)
    {
        public SyntaxNode Syntax { get; } = syntax;

        public ISymbol? Owner { get; } = owner;

        public SyntaxNode? ReportAt { get; } = reportAt;
    }

    private static void Inspect(OperationAnalysisContext context, Scope scope, IOperation operation, string kind)
    {
        foreach (var child in operation.ChildOperations)
        {
            // A lambda passed to another Durable.Fluent method is that method's business (a step body is free to do anything).
            if (child is IArgumentOperation { Parent: IInvocationOperation inner } && FluentSymbols.IsFluentMethod(inner.TargetMethod) && FluentSymbols.Lambda(child) is not null)
            {
                continue;
            }

            if (Classify(child, scope) is { } finding)
            {
                // A method group's finding is reported on the method group, with the API's place in the method as an additional location.
                context.ReportDiagnostic(scope.ReportAt is null
                    ? Diagnostic.Create(Descriptors.NonDeterministicOrchestrationCode, child.Syntax.GetLocation(), kind, finding.Api, finding.Reason)
                    : Diagnostic.Create(Descriptors.NonDeterministicOrchestrationCode, scope.ReportAt.GetLocation(), new[] { child.Syntax.GetLocation() }, kind, finding.Api, finding.Reason));
                continue;
            }

            Inspect(context, scope, child, kind);
        }
    }

    private static (string Api, string Reason)? Classify(IOperation op, Scope scope)
    {
        switch (op)
        {
            case IPropertyReferenceOperation p:
                return Member(p.Property, p.Property.IsStatic, isWrite: IsWriteTarget(op));
            case IInvocationOperation i:
                return Member(i.TargetMethod, i.TargetMethod.IsStatic, isWrite: false);
            case IObjectCreationOperation c when c.Constructor is { } ctor:
                return TypeReason(ctor.ContainingType) is { } r ? ($"new {ctor.ContainingType.Name}", r) : null;
            case IFieldReferenceOperation f when f.Field.IsStatic && !f.Field.IsConst && (!f.Field.IsReadOnly || IsWriteTarget(op)):
                return ($"{f.Field.ContainingType.Name}.{f.Field.Name}", StaticState);
            case ILocalReferenceOperation l when IsWriteTarget(op) && !IsDeclaredInside(l.Local, scope.Syntax):
                return (l.Local.Name, CapturedState);
            case IParameterReferenceOperation pr when IsWriteTarget(op) && !SymbolEqualityComparer.Default.Equals(pr.Parameter.ContainingSymbol, scope.Owner):
                return (pr.Parameter.Name, CapturedState);
            default:
                return null;
        }
    }

    private static (string Api, string Reason)? Member(ISymbol member, bool isStatic, bool isWrite)
    {
        var type = member.ContainingType;
        if (type is null)
        {
            return null;
        }

        var name = $"{type.Name}.{member.Name}";
        switch (Full(type))
        {
            case "System.DateTime" or "System.DateTimeOffset" when member.Name is "Now" or "UtcNow" or "Today":
                return (name, ReadsClock);
            case "System.Environment" when member.Name is "TickCount" or "TickCount64":
                return (name, ReadsClock);
            case "System.TimeProvider" when member.Name is "System" or "GetUtcNow" or "GetLocalNow" or "GetTimestamp" or "GetElapsedTime":
                return (name, ReadsClock);
            case "System.Guid" when member.Name is "NewGuid" or "CreateVersion7":
                return (name, Random);
            case "System.Threading.Tasks.Task" when member.Name == "Delay":
            case "System.Threading.Thread" when member.Name == "Sleep":
                return (name, Sleeps);
        }

        if (TypeReason(type) is { } reason)
        {
            return (name, reason);
        }

        if (isStatic && isWrite && member is IPropertySymbol)
        {
            return (name, StaticState);
        }

        return null;
    }

    private static string? TypeReason(INamedTypeSymbol type) => Full(type) switch
    {
        "System.Random" or "System.Security.Cryptography.RandomNumberGenerator" => Random,
        "System.Diagnostics.Stopwatch" => ReadsClock,
        "System.IO.File" or "System.IO.Directory" or "System.IO.FileInfo" or "System.IO.DirectoryInfo" or "System.IO.FileStream"
            or "System.Console" or "System.Net.Http.HttpClient" or "System.Net.Dns" or "System.Diagnostics.Process" => DoesIo,
        _ => null,
    };

    private static string Full(INamedTypeSymbol type) => type.ContainingNamespace is { IsGlobalNamespace: false } ns ? $"{ns.ToDisplayString()}.{type.Name}" : type.Name;

    private static bool IsWriteTarget(IOperation op) => op.Parent switch
    {
        IAssignmentOperation a => a.Target == op,
        IIncrementOrDecrementOperation => true,
        _ => false,
    };

    private static bool IsDeclaredInside(ILocalSymbol local, SyntaxNode scope)
    {
        foreach (var reference in local.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree == scope.SyntaxTree && scope.Span.Contains(reference.Span))
            {
                return true;
            }
        }

        return false;
    }
}
