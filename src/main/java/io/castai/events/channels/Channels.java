package io.castai.events.channels;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.castai.events.intake.NotificationEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channels and routing rules of channels.yaml, validated. Answers the routes' one question:
 * which channels hear about this event. Rules are tried in order; the first match wins unless it
 * says {@code continue: true}; when none matches, the default channels get the event.
 */
public class Channels {
    private static final Logger LOG = LoggerFactory.getLogger(Channels.class);

    private final Map<String, ChannelConfig> channels;
    private final List<RoutingRule> rules;
    private final List<String> defaultChannels;

    Channels(Map<String, ChannelConfig> channels, List<RoutingRule> rules, List<String> defaultChannels) {
        // file order kept: start-up lines and validation go through the channels as written
        this.channels = Collections.unmodifiableMap(new LinkedHashMap<>(channels));
        this.rules = List.copyOf(rules);
        this.defaultChannels = List.copyOf(defaultChannels);
    }

    /** The channels (that are on) this event goes to, each once, in rule order. */
    public List<Target> targets(NotificationEvent event) {
        return decide(event).targets();
    }

    /** What the rules decide for an event, with the rules that matched and the channels that are off. */
    public Decision decide(NotificationEvent event) {
        List<String> matched = new ArrayList<>();
        Map<String, Target> targets = new LinkedHashMap<>();
        List<String> off = new ArrayList<>();
        for (RoutingRule rule : rules) {
            if (rule.matches(event)) {
                matched.add(rule.name());
                add(rule.channels(), rule.recipients(), targets, off);
                if (!rule.continueMatching()) {
                    break;
                }
            }
        }
        // only when no rule matched, continue or not (as Alertmanager's routes): a rule that copies
        // events somewhere "as well" must not send them to the default too (a default that pages)
        if (matched.isEmpty()) {
            matched.add("default");
            add(defaultChannels, List.of(), targets, off);
        }
        return new Decision(List.copyOf(matched), List.copyOf(targets.values()), List.copyOf(off));
    }

    private void add(List<String> names, List<String> recipients, Map<String, Target> targets, List<String> off) {
        for (String name : names) {
            ChannelConfig channel = channels.get(name);
            if (!channel.isOn()) {
                if (!off.contains(name)) {
                    off.add(name);
                }
            } else if (channel.type() != ChannelType.EMAIL) {
                targets.putIfAbsent(name, new Target(name, List.of()));
            } else {
                Target earlier = targets.get(name);
                targets.put(name, new Target(name, earlier == null ? recipients
                        : together(channel, earlier.recipients(), recipients)));
            }
        }
    }

    /**
     * An email channel two matching rules name (the first says continue): one mail, to everyone
     * either rule would have mailed (no recipients = the channel's own "to").
     */
    private static List<String> together(ChannelConfig channel, List<String> first, List<String> second) {
        if (first.isEmpty() && second.isEmpty()) {
            return List.of();
        }
        Set<String> all = new LinkedHashSet<>(first.isEmpty() ? channel.list("to") : first);
        all.addAll(second.isEmpty() ? channel.list("to") : second);
        return List.copyOf(all);
    }

    /**
     * Every address channels.yaml gives an email channel: its {@code to}, and the recipients of
     * each rule that names it. A mail goes to these only, whatever its rendered {@code To:} says.
     */
    public Set<String> mailAddresses(String name) {
        Set<String> addresses = new LinkedHashSet<>(get(name).list("to"));
        rulesNaming(name).forEach(rule -> addresses.addAll(rule.recipients()));
        return addresses;
    }

    private List<RoutingRule> rulesNaming(String channel) {
        return rules.stream().filter(rule -> rule.channels().contains(channel)).toList();
    }

    public boolean has(String name) {
        return channels.containsKey(name);
    }

    public ChannelConfig get(String name) {
        ChannelConfig channel = channels.get(name);
        if (channel == null) {
            throw new IllegalArgumentException("no channel " + name + " in the channels file");
        }
        return channel;
    }

    public boolean isLog(String name) {
        return get(name).type() == ChannelType.LOG;
    }

    /**
     * Why no route sends to this channel, as the end of "Channel x ...": not in channels.yaml, off,
     * or a log channel (which keeps no deliveries: a channel made one under the same name).
     */
    public String whyUnserved(String name) {
        ChannelConfig channel = channels.get(name);
        return channel == null ? "is not in channels.yaml"
                : channel.type() == ChannelType.LOG ? "writes to the log (type log), which keeps no deliveries"
                : !channel.isOn() ? "is off (" + channel.offReason() + ")"
                : "is not served";
    }

    /** Every declared channel, in file order (the built-in log first). */
    public Collection<ChannelConfig> all() {
        return channels.values();
    }

    /** Says once, at start-up, which channels are on and how many rules there are. */
    public void logStatus() {
        for (ChannelConfig channel : all()) {
            if (channel.isOn()) {
                LOG.info("Channel {} ({}) is on", channel.name(), channel.type().id());
            } else {
                LOG.info("Channel {} ({}) is off: {}", channel.name(), channel.type().id(), channel.offReason());
            }
        }
        LOG.info("{} routing rules, default to {}", rules.size(), defaultChannels);
        warnings().forEach(LOG::warn);
    }

    /**
     * What channels.yaml allows but is almost surely a mistake, said at start-up: a channel no rule
     * (nor the default) names receives nothing; a rule whose every channel is off notifies nobody
     * of what it matches (and those events do not fall through to the default); a resolveOn type
     * no rule of the channel matches never resolves an incident; a default whose every channel is
     * off notifies nobody of what no rule matches (unless a rule matches everything); a rule an
     * earlier one leaves nothing to (a catch-all before it) never matches.
     */
    List<String> warnings() {
        List<String> warnings = new ArrayList<>();
        for (ChannelConfig channel : all()) {
            String name = channel.name();
            List<RoutingRule> naming = rulesNaming(name);
            if (channel.isOn() && naming.isEmpty() && !defaultChannels.contains(name)) {
                warnings.add("Channel " + name + " is named by no rule nor the default: it receives nothing");
            }
            for (String type : channel.type() == ChannelType.PAGERDUTY ? channel.list("resolveOn") : List.<String>of()) {
                if (type.contains("*")) {
                    continue; // a glob: which types the rules send is not known well enough to say
                }
                boolean routed = defaultChannels.contains(name) || naming.stream().anyMatch(rule -> rule.matchesType(type));
                if (!routed) {
                    warnings.add("Channel " + name + " resolves on " + type + ", but no rule sends " + type
                            + " events to it: its incidents are never resolved");
                }
            }
        }
        for (RoutingRule rule : rules) {
            if (!rule.channels().isEmpty() && rule.channels().stream().noneMatch(name -> channels.get(name).isOn())) {
                warnings.add("Rule " + rule.name() + " sends only to channels that are off " + rule.channels()
                        + ": the events it matches notify nobody" + (rule.continueMatching() ? "" : " (nor go on to later rules)"));
            }
        }
        for (int i = 0; i < rules.size(); i++) {
            RoutingRule later = rules.get(i);
            rules.subList(0, i).stream().filter(earlier -> earlier.takesEveryEventOf(later)).findFirst().ifPresent(earlier ->
                    warnings.add("Rule " + later.name() + " never matches: rule " + earlier.name() + " before it takes "
                            + "every event it would (give " + earlier.name() + " continue: true, or put " + later.name()
                            + " before it)"));
        }
        // a rule that takes every event leaves the default unreached: nothing to warn of
        boolean defaultReached = rules.stream().noneMatch(rule -> rule.matchesEverything() && !rule.continueMatching());
        if (defaultReached && defaultChannels.stream().noneMatch(name -> channels.get(name).isOn())) {
            warnings.add("The default sends only to channels that are off " + defaultChannels
                    + ": the events no rule matches notify nobody");
        }
        return warnings;
    }

    /** The outcome of the rules for one event. */
    public record Decision(List<String> rules, List<Target> targets, List<String> off) {
    }
}
