using Durable.Fluent.Diagnostics;
using Durable.Fluent.Plugins;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Interpretation;

/// <summary>
/// Calls the observers of a run for each hook: the built-in telemetry (traces and metrics, present only while a listener is
/// attached) first, then every registered plugin. An observer that throws is logged and skipped, never fatal. The
/// interpreter reports through this one hub, so every executor feeds plugins and telemetry alike.
/// </summary>
internal sealed class PluginHub
{
    private readonly IReadOnlyList<IDurablePlugin> _plugins;
    private readonly ILogger _logger;

    private PluginHub(IReadOnlyList<IDurablePlugin> plugins, InvocationTelemetry? telemetry, ILogger logger, TimeProvider time)
    {
        _plugins = plugins;
        Telemetry = telemetry;
        _logger = logger;
        Time = time;
    }

    /// <summary>The built-in telemetry of this invocation, or null when nothing listens.</summary>
    public InvocationTelemetry? Telemetry { get; }

    /// <summary>The run's clock, for the timestamps of hook records.</summary>
    public TimeProvider Time { get; }

    /// <summary>Whether user plugins are registered (some records, like the full operation map, are built only for them).</summary>
    public bool HasUserPlugins => _plugins.Count > 0;

    /// <summary>A hub for the plugins and telemetry of a run, or null when there is neither (the common, zero-cost case).</summary>
    public static PluginHub? Create(IReadOnlyList<IDurablePlugin> plugins, InvocationTelemetry? telemetry, ILogger logger, TimeProvider time)
        => plugins.Count == 0 && telemetry is null ? null : new PluginHub(plugins, telemetry, logger, time);

    public void Invoke<TInfo>(TInfo info, Action<IDurablePlugin, TInfo> hook, string hookName)
    {
        if (Telemetry is { } telemetry)
        {
            Call(telemetry, info, hook, hookName);
        }

        foreach (var plugin in _plugins)
        {
            Call(plugin, info, hook, hookName);
        }
    }

    private void Call<TInfo>(IDurablePlugin plugin, TInfo info, Action<IDurablePlugin, TInfo> hook, string hookName)
    {
        try
        {
            hook(plugin, info);
        }
        catch (Exception ex) when (ex is not InvocationTerminatedException)
        {
            _logger.LogWarning(ex, "Plugin {Plugin} threw from {Hook}; the execution is not affected.", plugin.GetType().Name, hookName);
        }
    }

    public void OperationStart(OperationInfo info) => Invoke(info, static (p, i) => p.OnOperationStart(i), nameof(IDurablePlugin.OnOperationStart));

    public void OperationEnd(OperationInfo info) => Invoke(info, static (p, i) => p.OnOperationEnd(i), nameof(IDurablePlugin.OnOperationEnd));

    public void AttemptStart(AttemptInfo info) => Invoke(info, static (p, i) => p.OnAttemptStart(i), nameof(IDurablePlugin.OnAttemptStart));

    public void AttemptEnd(AttemptInfo info) => Invoke(info, static (p, i) => p.OnAttemptEnd(i), nameof(IDurablePlugin.OnAttemptEnd));

    public void OperationChange(OperationChangeInfo info) => Invoke(info, static (p, i) => p.OnOperationChange(i), nameof(IDurablePlugin.OnOperationChange));

    public void InvocationStart(InvocationStartInfo info) => Invoke(info, static (p, i) => p.OnInvocationStart(i), nameof(IDurablePlugin.OnInvocationStart));

    public void InvocationEnd(InvocationEndInfo info) => Invoke(info, static (p, i) => p.OnInvocationEnd(i), nameof(IDurablePlugin.OnInvocationEnd));

    public static OperationInfo Live(string id, string? name, OperationType type, string? subType, string? parentId, DateTimeOffset startedAt, int? attempt = null)
        => new() { Id = id, Name = name, Type = type, SubType = subType, ParentId = parentId, Attempt = attempt, IsReplay = false, StartTimestamp = startedAt };
}
