using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Durable.Fluent.Analyzers;

/// <summary>
/// DF0002 on a step: turns the lambda into an async step body with a cancellation token,
/// <c>(o, ctx) =&gt; ChargeAsync(o)</c> → <c>async (o, ctx, ct) =&gt; await ChargeAsync(o)</c>, and drops an explicit
/// <c>Then&lt;Task&lt;T&gt;&gt;</c> type argument, so the call binds the asynchronous overload and the value is the awaited result.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AwaitInStepCodeFix))]
[Shared]
public sealed class AwaitInStepCodeFix : CodeFixProvider
{
    private const string Title = "Make the step body async with a CancellationToken";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.TaskTypedResult.Id);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.ContainsKey(TaskResultAnalyzer.StepBodyKey)
                || root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not { } node
                || node.FirstAncestorOrSelf<ParenthesizedLambdaExpressionSyntax>() is not { } lambda
                || lambda.ParameterList.Parameters.Count != 2
                || (lambda.AsyncKeyword.IsKind(SyntaxKind.None) && lambda.ExpressionBody is null))
            {
                continue;
            }

            context.RegisterCodeFix(CodeAction.Create(Title, ct => FixAsync(context.Document, lambda, ct), equivalenceKey: Title), diagnostic);
        }
    }

    private static async Task<Document> FixAsync(Document document, ParenthesizedLambdaExpressionSyntax lambda, CancellationToken cancellationToken)
    {
        var root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        var token = Unused(lambda, "ct");
        var parameter = lambda.ParameterList.Parameters[0].Type is null
            ? SyntaxFactory.Parameter(SyntaxFactory.Identifier(token))
            : SyntaxFactory.Parameter(SyntaxFactory.Identifier(token)).WithType(SyntaxFactory.ParseTypeName("System.Threading.CancellationToken").WithTrailingTrivia(SyntaxFactory.Space));
        var fixedLambda = lambda.WithParameterList(lambda.ParameterList.AddParameters(parameter)).WithReturnType(null);
        if (fixedLambda.AsyncKeyword.IsKind(SyntaxKind.None))
        {
            fixedLambda = fixedLambda
                .WithAsyncKeyword(SyntaxFactory.Token(SyntaxKind.AsyncKeyword).WithTrailingTrivia(SyntaxFactory.Space))
                .WithExpressionBody(SyntaxFactory.AwaitExpression(Parenthesize(fixedLambda.ExpressionBody!)).WithTriviaFrom(fixedLambda.ExpressionBody!));
        }

        fixedLambda = fixedLambda.WithLeadingTrivia(lambda.GetLeadingTrivia());

        // An explicit Then<Task<T>>(...) keeps binding the synchronous overload: drop the type arguments too.
        var generic = lambda.FirstAncestorOrSelf<InvocationExpressionSyntax>() is { Expression: MemberAccessExpressionSyntax { Name: GenericNameSyntax g } } && g.Identifier.ValueText is "Then" or "Step"
            ? g
            : null;
        var newRoot = root.ReplaceNodes(
            generic is null ? [lambda] : new SyntaxNode[] { lambda, generic },
            (original, _) => original == lambda ? fixedLambda : SyntaxFactory.IdentifierName(generic!.Identifier).WithTriviaFrom(generic));
        return document.WithSyntaxRoot(newRoot);
    }

    private static ExpressionSyntax Parenthesize(ExpressionSyntax expression)
        => expression is InvocationExpressionSyntax or IdentifierNameSyntax or MemberAccessExpressionSyntax or ObjectCreationExpressionSyntax
            ? expression.WithoutTrivia()
            : SyntaxFactory.ParenthesizedExpression(expression.WithoutTrivia());

    private static string Unused(ParenthesizedLambdaExpressionSyntax lambda, string preferred)
    {
        var used = lambda.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText).ToImmutableHashSet();
        var name = preferred;
        for (var i = 2; used.Contains(name); i++)
        {
            name = preferred + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return name;
    }
}
