using System.Collections.Immutable;
using System.Linq;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Durable.Fluent.Analyzers;

/// <summary>
/// DF0003: appends <c>.Build()</c> to the builder expression. Fixes both sources of DF0003: the compile error the API raises
/// (a builder converted to a workflow, a workflow member or a runner entry point used with a builder: reported on the
/// conversion's operand, the member access, or the call) and the analyzer's report on an argument of an unresolved call.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AppendBuildCodeFix))]
[Shared]
public sealed class AppendBuildCodeFix : CodeFixProvider
{
    private const string Title = "Call Build()";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.MissingBuild.Id);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var targets = BuilderExpressions(root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true), model, context.CancellationToken);
            if (targets.Length > 0)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(Title, ct => AppendBuildAsync(context.Document, targets, ct), equivalenceKey: Title),
                    diagnostic);
            }
        }
    }

    /// <summary>The builder expressions that need <c>.Build()</c> for the DF0003 reported at <paramref name="node"/>.</summary>
    private static ImmutableArray<ExpressionSyntax> BuilderExpressions(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
    {
        if (node is ArgumentSyntax argument)
        {
            node = argument.Expression;
        }

        // An entry point given a builder (a runner, host or child-workflow overload that takes one): the node is the call, and
        // the builder arguments get Build(). Checked first, because such a call can itself return a builder (Then).
        if (node is InvocationExpressionSyntax call
            && model.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol method
            && method.Parameters.Any(p => IsBuilder(p.Type)))
        {
            var arguments = call.ArgumentList.Arguments
                .Select(a => a.Expression)
                .Where(e => IsBuilder(model.GetTypeInfo(e, cancellationToken).Type))
                .ToImmutableArray();
            if (arguments.Length > 0)
            {
                return arguments;
            }
        }

        // A builder converted to a workflow (the obsolete conversion) or passed where one is expected: the node is the builder.
        if (node is ExpressionSyntax expression && IsBuilder(model.GetTypeInfo(expression, cancellationToken).Type))
        {
            return ImmutableArray.Create(expression);
        }

        // A workflow member used on a builder: the node is the member access or its call; the receiver gets Build().
        var access = node as MemberAccessExpressionSyntax ?? (node as InvocationExpressionSyntax)?.Expression as MemberAccessExpressionSyntax ?? node.Parent as MemberAccessExpressionSyntax;
        return access is not null
            && model.GetSymbolInfo(access, cancellationToken).Symbol is { } member && IsBuilder(member.ContainingType)
            && IsBuilder(model.GetTypeInfo(access.Expression, cancellationToken).Type)
            ? ImmutableArray.Create(access.Expression)
            : ImmutableArray<ExpressionSyntax>.Empty;
    }

    private static bool IsBuilder(ITypeSymbol? type)
        => type is INamedTypeSymbol { Name: "WorkflowBuilder", TypeArguments.Length: 2, ContainingNamespace: { Name: "Fluent", ContainingNamespace: { Name: "Durable", ContainingNamespace.IsGlobalNamespace: true } } };

    private static async Task<Document> AppendBuildAsync(Document document, ImmutableArray<ExpressionSyntax> expressions, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        return document.WithSyntaxRoot(root!.ReplaceNodes(expressions, (original, _) => Built(original)));
    }

    private static ExpressionSyntax Built(ExpressionSyntax expression)
    {
        var receiver = expression is IdentifierNameSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax or ElementAccessExpressionSyntax
            ? expression.WithoutTrivia()
            : SyntaxFactory.ParenthesizedExpression(expression.WithoutTrivia());
        return SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, receiver, SyntaxFactory.IdentifierName("Build")))
            .WithTriviaFrom(expression);
    }
}
