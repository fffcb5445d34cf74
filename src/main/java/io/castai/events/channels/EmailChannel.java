package io.castai.events.channels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.castai.events.outbound.BoundedMailSender;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.mail.JavaMailSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Email over SMTP (camel-mail). The template renders a small mail message: header lines
 * ({@code Subject:}, {@code To:}) then a blank line, then the body; a {@code To:} line (the
 * default template writes the rule's recipients or the channel's {@code to}) wins over the
 * channel's list. Credentials live in a per-channel mail sender bean, never in an endpoint URI; each send is
 * bounded as a whole ({@link BoundedMailSender}).
 */
public class EmailChannel {
    private static final String DEFAULT_SUBJECT = "CAST AI notification";
    /** Characters of a subject: room for any template's own text, far short of what servers refuse in a header. */
    static final int MAX_SUBJECT = 250;
    private static final Logger LOG = LoggerFactory.getLogger(EmailChannel.class);

    private final Channels channels;
    private final int connectTimeoutMs;
    private final int readTimeoutMs;
    private final long callTimeoutMs;

    public EmailChannel(Channels channels, int connectTimeoutMs, int readTimeoutMs, long callTimeoutMs) {
        this.channels = channels;
        this.connectTimeoutMs = connectTimeoutMs;
        this.readTimeoutMs = readTimeoutMs;
        this.callTimeoutMs = callTimeoutMs;
    }

    /** The registry name of a channel's mail sender, as the email route template refers to it. */
    public static String senderBean(String channel) {
        return "mailSender-" + channel;
    }

    /** Binds one mail sender per email channel that is on. */
    public void bindSenders(CamelContext context) {
        for (ChannelConfig channel : channels.all()) {
            if (channel.type() == ChannelType.EMAIL && channel.isOn()) {
                context.getRegistry().bind(senderBean(channel.name()), JavaMailSender.class, sender(channel));
            }
        }
    }

    JavaMailSender sender(ChannelConfig channel) {
        String tls = channel.text("tls");
        String protocol = "smtps".equals(tls) ? "smtps" : "smtp";
        // each send bounded as a whole, as an HTTP call is (HTTP_CALL_TIMEOUT_MS)
        BoundedMailSender sender = new BoundedMailSender(protocol, callTimeoutMs);
        sender.setHost(channel.text("host"));
        sender.setPort(channel.integer("port"));
        String prefix = "mail." + protocol + ".";
        sender.addAdditionalJavaMailProperty(prefix + "connectiontimeout", String.valueOf(connectTimeoutMs));
        // a reply is waited for as long as the whole send may take, not the response timeout: a
        // server may scan a mail before its 250, and a mail given up on then is mailed twice
        sender.addAdditionalJavaMailProperty(prefix + "timeout", String.valueOf(callTimeoutMs));
        sender.addAdditionalJavaMailProperty(prefix + "writetimeout", String.valueOf(readTimeoutMs));
        if ("starttls".equals(tls)) {
            sender.addAdditionalJavaMailProperty(prefix + "starttls.enable", "true");
            sender.addAdditionalJavaMailProperty(prefix + "starttls.required", "true");
        }
        if (!channel.text("username").isEmpty()) {
            sender.addAdditionalJavaMailProperty(prefix + "auth", "true");
            sender.setUsername(channel.text("username"));
            sender.setPassword(channel.text("password"));
        }
        return sender;
    }

    /** Turns the rendered message in exchange property {@code message} into the mail's headers and body. */
    public void prepare(Exchange exchange) {
        String channel = exchange.getProperty("channel", String.class);
        ChannelConfig config = channels.get(channel);
        Rendered mail = parse(exchange.getProperty("message", String.class));
        Recipients recipients = recipients(channels, channel, mail);
        recipients.leftOut().forEach(address -> LOG.warn("Mail of channel {} for event {}: To: address {} left out: "
                + "channels.yaml does not give it to this channel (its to, or a rule's recipients)", channel,
                exchange.getProperty("eventId", String.class), address));
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader("From", config.text("from"));
        message.setHeader("To", String.join(", ", recipients.to()));
        // a sender's 100 KB node name in the subject made a 334 KB header, which servers refuse
        message.setHeader("Subject", Shortened.to(mail.subject(), MAX_SUBJECT, "…"));
        message.setHeader("Content-Type", "text/plain; charset=UTF-8");
        message.setBody(mail.body());
    }

    /**
     * Whom a rendered mail goes to: its {@code To:} addresses that channels.yaml gives the channel
     * (its {@code to}, a rule's recipients), else the channel's {@code to}. A template may put what
     * a sender wrote in the header lines (a node name with a line break in it): such a line must
     * not mail a stranger through the service's SMTP account, so any other address is left out.
     */
    static Recipients recipients(Channels channels, String channel, Rendered mail) {
        Set<String> known = new HashSet<>();
        channels.mailAddresses(channel).forEach(address -> known.add(mailbox(address)));
        List<String> to = new ArrayList<>();
        List<String> leftOut = new ArrayList<>();
        for (String address : mail.to()) {
            (known.contains(mailbox(address)) ? to : leftOut).add(address);
        }
        return new Recipients(oncePerMailbox(to.isEmpty() ? channels.get(channel).list("to") : to), List.copyOf(leftOut));
    }

    /** Each mailbox once, as first written: two rules naming {@code Ops <ops@x>} and {@code OPS@x} mail it once. */
    private static List<String> oncePerMailbox(List<String> addresses) {
        Set<String> seen = new HashSet<>();
        return addresses.stream().filter(address -> seen.add(mailbox(address))).toList();
    }

    record Recipients(List<String> to, List<String> leftOut) {
    }

    /** The mailbox of an address, whatever its display name or case: {@code Ops <OPS@x>} is {@code ops@x}. */
    private static String mailbox(String address) {
        try {
            return new InternetAddress(address, false).getAddress().toLowerCase(Locale.ROOT);
        } catch (AddressException unparsable) {
            return address.trim().toLowerCase(Locale.ROOT);
        }
    }

    /** A rendered mail: leading {@code Subject:} / {@code To:} lines up to a blank line, then the body. */
    static Rendered parse(String text) {
        String subject = DEFAULT_SUBJECT;
        List<String> to = new ArrayList<>();
        String[] lines = (text == null ? "" : text).split("\\r?\\n", -1);
        int i = 0;
        for (; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            String name = colon < 0 ? "" : line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (name.equals("subject")) {
                subject = line.substring(colon + 1).trim();
            } else if (name.equals("to")) {
                to.addAll(CommaList.split(line.substring(colon + 1)));
            } else {
                break;
            }
        }
        if (i > 0 && i < lines.length && lines[i].isBlank()) {
            i++; // the blank line that ends the headers
        }
        String body = String.join("\n", Arrays.asList(lines).subList(i, lines.length));
        return new Rendered(subject, List.copyOf(to), body);
    }

    record Rendered(String subject, List<String> to, String body) {
    }
}
