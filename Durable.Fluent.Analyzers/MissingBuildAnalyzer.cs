using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Durable.Fluent.Analyzers;

/// <summary>
/// DF0003: a <c>WorkflowBuilder</c> stored, returned or passed where a <c>Workflow</c> is expected, or asked to run/render
/// (<c>HandleAsync</c>, <c>Describe</c>, <c>ToMermaid</c>, <c>Fingerprint</c>). The compiler reports a type error there; this
/// diagnostic names the fix (<c>Build()</c>) and carries the code fix that appends it. Reported on the builder expression.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MissingBuildAnalyzer : FluentAnalyzer
{
    private static readonly ImmutableHashSet<string> WorkflowMembers = ImmutableHashSet.Create("HandleAsync", "Describe", "ToMermaid", "Fingerprint", "Options");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.MissingBuild);

    /// <inheritdoc />
    private protected override void Register(CompilationStartAnalysisContext context, FluentSymbols symbols)
    {
        context.RegisterSyntaxNodeAction(c => AnalyzeConversion(c, symbols), SyntaxKind.EqualsValueClause, SyntaxKind.ReturnStatement, SyntaxKind.ArrowExpressionClause, SyntaxKind.SimpleAssignmentExpression);
        context.RegisterSyntaxNodeAction(c => AnalyzeArguments(c, symbols), SyntaxKind.InvocationExpression, SyntaxKind.ObjectCreationExpression);
        context.RegisterSyntaxNodeAction(c => AnalyzeMemberAccess(c, symbols), SyntaxKind.SimpleMemberAccessExpression);
    }

    private static void AnalyzeConversion(SyntaxNodeAnalysisContext context, FluentSymbols symbols)
    {
        var expression = context.Node switch
        {
            EqualsValueClauseSyntax e => e.Value,
            ReturnStatementSyntax r => r.Expression,
            ArrowExpressionClauseSyntax a => a.Expression,
            AssignmentExpressionSyntax s => s.Right,
            _ => null,
        };
        if (expression is null)
        {
            return;
        }

        var info = context.SemanticModel.GetTypeInfo(expression, context.CancellationToken);
        if (symbols.IsBuilder(info.Type) && symbols.IsWorkflow(info.ConvertedType))
        {
            Report(context, expression, info.Type!, "a Workflow is expected here");
        }
    }

    private static void AnalyzeArguments(SyntaxNodeAnalysisContext context, FluentSymbols symbols)
    {
        var arguments = context.Node switch
        {
            InvocationExpressionSyntax i => i.ArgumentList,
            ObjectCreationExpressionSyntax o => o.ArgumentList,
            _ => null,
        };
        if (arguments is null || arguments.Arguments.Count == 0)
        {
            return;
        }

        var info = context.SemanticModel.GetSymbolInfo(context.Node, context.CancellationToken);
        if (info.Symbol is not null)
        {
            // Resolved: a builder converted to a Workflow parameter cannot compile, so nothing to add.
            return;
        }

        for (var i = 0; i < arguments.Arguments.Count; i++)
        {
            var argument = arguments.Arguments[i];
            var type = context.SemanticModel.GetTypeInfo(argument.Expression, context.CancellationToken).Type;
            if (!symbols.IsBuilder(type))
            {
                continue;
            }

            foreach (var candidate in info.CandidateSymbols)
            {
                if (candidate is IMethodSymbol m && Parameter(m, argument, i) is { } p && symbols.IsWorkflow(p.Type.OriginalDefinition))
                {
                    Report(context, argument.Expression, type!, $"'{m.Name}' takes a Workflow");
                    break;
                }
            }
        }
    }

    private static void AnalyzeMemberAccess(SyntaxNodeAnalysisContext context, FluentSymbols symbols)
    {
        var access = (MemberAccessExpressionSyntax)context.Node;
        if (!WorkflowMembers.Contains(access.Name.Identifier.ValueText))
        {
            return;
        }

        var type = context.SemanticModel.GetTypeInfo(access.Expression, context.CancellationToken).Type;
        if (symbols.IsBuilder(type))
        {
            Report(context, access.Expression, type!, $"{access.Name.Identifier.ValueText} is a member of Workflow");
        }
    }

    private static IParameterSymbol? Parameter(IMethodSymbol method, ArgumentSyntax argument, int index)
    {
        if (argument.NameColon is { } named)
        {
            foreach (var p in method.Parameters)
            {
                if (p.Name == named.Name.Identifier.ValueText)
                {
                    return p;
                }
            }

            return null;
        }

        return index < method.Parameters.Length ? method.Parameters[index] : null;
    }

    private static void Report(SyntaxNodeAnalysisContext context, ExpressionSyntax expression, ITypeSymbol builder, string why)
    {
        var args = ((INamedTypeSymbol)builder).TypeArguments;
        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.MissingBuild,
            expression.GetLocation(),
            args[0].ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
            args[1].ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
            why));
    }
}
