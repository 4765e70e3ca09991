using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Durable.Fluent.Analyzers;

/// <summary>
/// DF0003, the cases the compiler cannot report itself. The API raises DF0003 as a compile error wherever it can — a builder
/// converted to a workflow (stored, returned, passed), a workflow member (<c>HandleAsync</c>, <c>Describe</c>, <c>ToMermaid</c>,
/// <c>Fingerprint</c>) or a Durable.Fluent entry point (runner, local service, Lambda runtime, replayer, child workflow) used
/// with a builder: those are <c>[Obsolete(error: true)]</c> members with the id DF0003, so the mistake gets one error that
/// names the fix. What is left, reported here on the builder expression next to the compiler's own error: a builder passed to
/// a generic method of the reader's own code (type inference fails, CS0411), and a builder whose value type differs from the
/// expected workflow's (no conversion applies, CS0029).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MissingBuildAnalyzer : FluentAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.MissingBuild);

    /// <inheritdoc />
    private protected override void Register(CompilationStartAnalysisContext context, FluentSymbols symbols)
    {
        context.RegisterSyntaxNodeAction(c => AnalyzeConversion(c, symbols), SyntaxKind.EqualsValueClause, SyntaxKind.ReturnStatement, SyntaxKind.ArrowExpressionClause, SyntaxKind.SimpleAssignmentExpression);
        context.RegisterSyntaxNodeAction(c => AnalyzeArguments(c, symbols), SyntaxKind.InvocationExpression, SyntaxKind.ObjectCreationExpression);
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
        // A user-defined conversion is the builder's [Obsolete] operator: the compiler reports DF0003 there already.
        if (symbols.IsBuilder(info.Type) && symbols.IsWorkflow(info.ConvertedType)
            && !context.SemanticModel.GetConversion(expression, context.CancellationToken).IsUserDefined)
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
