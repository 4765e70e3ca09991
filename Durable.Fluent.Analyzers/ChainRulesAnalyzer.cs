using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Durable.Fluent.Analyzers;

/// <summary>
/// The rules <c>Build()</c> checks, at compile time where the values are constants: duplicate names in one chain (DF0004),
/// durations out of range (DF0005), MaxConcurrency/BatchSize below 1 (DF0006), lambda steps without a name (DF0008).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ChainRulesAnalyzer : FluentAnalyzer
{
    private const long TicksPerSecond = 10_000_000;
    private const long MaxDurationSeconds = 31_622_400;

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.DuplicateName, Descriptors.DurationOutOfRange, Descriptors.BatchSettingOutOfRange, Descriptors.UnnamedLambdaStep);

    /// <inheritdoc />
    private protected override void Register(CompilationStartAnalysisContext context, FluentSymbols symbols)
        => context.RegisterOperationAction(c => Analyze(c, symbols), OperationKind.Invocation);

    private static void Analyze(OperationAnalysisContext context, FluentSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (!FluentSymbols.IsFluentMethod(method))
        {
            return;
        }

        switch (method.ContainingType.Name, method.Name)
        {
            case ("WorkflowBuilder", "Wait"):
                CheckDuration(context, FluentSymbols.Argument(invocation, "duration"), WaitLabel(invocation), wholeSecondsInRange: true);
                break;
            case ("CallbackConfigurator", "Timeout"):
                CheckDuration(context, FluentSymbols.Argument(invocation, "timeout"), "The callback timeout", wholeSecondsInRange: true);
                break;
            case ("CallbackConfigurator", "HeartbeatTimeout"):
                CheckDuration(context, FluentSymbols.Argument(invocation, "heartbeatTimeout"), "The callback heartbeat timeout", wholeSecondsInRange: true);
                break;
            case ("StepConfiguratorBase", "Timeout"):
                CheckDuration(context, FluentSymbols.Argument(invocation, "timeout"), "The step timeout", wholeSecondsInRange: false);
                break;
            case ("BatchConfigurator", "MaxConcurrency"):
                CheckAtLeastOne(context, FluentSymbols.Argument(invocation, "limit"), "MaxConcurrency", "Leave MaxConcurrency out for no limit");
                break;
            case ("MapConfigurator", "BatchSize"):
                CheckAtLeastOne(context, FluentSymbols.Argument(invocation, "size"), "BatchSize", "The default is one item per iteration");
                break;
        }

        if (method.ContainingType.Name != "WorkflowBuilder")
        {
            return;
        }

        if (method.Name == "Then" && method.Parameters.Length > 0 && method.Parameters[0].Name == "body" && FluentSymbols.Lambda(FluentSymbols.Argument(invocation, "body")) is { } lambda)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.UnnamedLambdaStep, lambda.Syntax.GetLocation()));
        }

        CheckDuplicateName(context, invocation, symbols);
    }

    private static void CheckDuplicateName(OperationAnalysisContext context, IInvocationOperation invocation, FluentSymbols symbols)
    {
        var nameArgument = FluentSymbols.Argument(invocation, "name");
        if (!FluentSymbols.NamedNodeMethods.Contains(invocation.TargetMethod.Name) || FluentSymbols.ConstantName(nameArgument) is not { } name)
        {
            return;
        }

        // Walk the receivers of this call back to the start of the chain (Workflow.For/Step, or an arm's builder parameter).
        for (var receiver = invocation.Instance; receiver is IInvocationOperation earlier && FluentSymbols.IsFluentMethod(earlier.TargetMethod); receiver = earlier.Instance)
        {
            if (FluentSymbols.NamedNodeMethods.Contains(earlier.TargetMethod.Name)
                && (symbols.IsBuilder(earlier.Type))
                && FluentSymbols.Argument(earlier, "name") is { } earlierName
                && FluentSymbols.ConstantName(earlierName) == name)
            {
                var line = earlierName.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.DuplicateName,
                    nameArgument!.Syntax.GetLocation(),
                    $"{invocation.TargetMethod.Name}(\"{name}\")",
                    name,
                    line.ToString(CultureInfo.InvariantCulture)));
                return;
            }
        }
    }

    private static void CheckAtLeastOne(OperationAnalysisContext context, IArgumentOperation? argument, string setting, string hint)
    {
        if (argument?.Value.ConstantValue is { HasValue: true, Value: int value } && value < 1)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.BatchSettingOutOfRange, argument.Syntax.GetLocation(), setting, value.ToString(CultureInfo.InvariantCulture), hint));
        }
    }

    private static void CheckDuration(OperationAnalysisContext context, IArgumentOperation? argument, string what, bool wholeSecondsInRange)
    {
        if (argument is null || Ticks(argument.Value) is not { } ticks)
        {
            return;
        }

        string? problem = null;
        if (!wholeSecondsInRange)
        {
            problem = ticks <= 0 ? "a step timeout must be more than zero" : null;
        }
        else if (ticks < TicksPerSecond || ticks > MaxDurationSeconds * TicksPerSecond)
        {
            problem = "durations must be between 1 second and 31,622,400 seconds (366 days)";
        }
        else if (ticks % TicksPerSecond != 0)
        {
            problem = "durations must be whole seconds (use TimeSpan.FromSeconds with an integer)";
        }

        if (problem is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.DurationOutOfRange, argument.Syntax.GetLocation(), what, Describe(ticks), problem));
        }
    }

    private static string WaitLabel(IInvocationOperation invocation)
        => FluentSymbols.ConstantName(FluentSymbols.Argument(invocation, "name")) is { } n ? $"Wait '{n}'" : "The wait";

    private static string Describe(decimal ticks)
        => (ticks / TicksPerSecond).ToString("0.###", CultureInfo.InvariantCulture) + " s";

    /// <summary>The constant value of a TimeSpan expression in ticks, or null when it is not a constant the analyzer understands.</summary>
    private static decimal? Ticks(IOperation operation)
    {
        while (operation is IConversionOperation c)
        {
            operation = c.Operand;
        }

        switch (operation)
        {
            case IFieldReferenceOperation { Field: { Name: "Zero", ContainingType.Name: "TimeSpan" } }:
                return 0;
            case IInvocationOperation { TargetMethod: { IsStatic: true, ContainingType.Name: "TimeSpan" } m } i when i.Arguments.Length >= 1:
                var unit = m.Name switch
                {
                    "FromMilliseconds" => 10_000m,
                    "FromSeconds" => TicksPerSecond,
                    "FromMinutes" => 60m * TicksPerSecond,
                    "FromHours" => 3600m * TicksPerSecond,
                    "FromDays" => 86400m * TicksPerSecond,
                    _ => (decimal?)null,
                };
                if (unit is null || Number(i.Arguments[0].Value) is not { } first)
                {
                    return null;
                }

                // .NET 9 adds FromSeconds(seconds, milliseconds, ...) overloads: only the one-argument form is evaluated.
                return i.Arguments.Length == 1 || AllDefault(i.Arguments) ? first * unit.Value : null;
            case IObjectCreationOperation { Constructor.ContainingType.Name: "TimeSpan" } o:
                var parts = new List<decimal>();
                foreach (var a in o.Arguments)
                {
                    if (Number(a.Value) is not { } v)
                    {
                        return null;
                    }

                    parts.Add(v);
                }

                return parts.Count switch
                {
                    1 => parts[0],
                    3 => ((parts[0] * 3600) + (parts[1] * 60) + parts[2]) * TicksPerSecond,
                    4 => ((parts[0] * 86400) + (parts[1] * 3600) + (parts[2] * 60) + parts[3]) * TicksPerSecond,
                    5 => (((parts[0] * 86400) + (parts[1] * 3600) + (parts[2] * 60) + parts[3]) * TicksPerSecond) + (parts[4] * 10_000m),
                    _ => null,
                };
            default:
                return null;
        }
    }

    private static bool AllDefault(ImmutableArray<IArgumentOperation> arguments)
    {
        for (var i = 1; i < arguments.Length; i++)
        {
            if (arguments[i].ArgumentKind != ArgumentKind.DefaultValue)
            {
                return false;
            }
        }

        return true;
    }

    private static decimal? Number(IOperation value)
    {
        if (!value.ConstantValue.HasValue || value.ConstantValue.Value is null)
        {
            return null;
        }

        try
        {
            return Convert.ToDecimal(value.ConstantValue.Value, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is InvalidCastException or OverflowException or FormatException)
        {
            return null;
        }
    }
}
