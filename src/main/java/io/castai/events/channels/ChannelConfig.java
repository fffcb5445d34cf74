package io.castai.events.channels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.castai.events.security.SecretForms;

/**
 * One channel as configured: its name, type and parameter values (defaults applied, placeholders
 * resolved). {@code offReason} is set when an optional channel lacks a required value. The
 * values may hold secrets: {@link #toString()} shows only the names of secret parameters.
 */
public record ChannelConfig(String name, ChannelType type, Map<String, Object> values, String offReason) {

    public boolean isOn() {
        return offReason == null;
    }

    public String text(String parameter) {
        Object value = values.get(parameter);
        return value == null ? "" : String.valueOf(value);
    }

    public int integer(String parameter) {
        return ((Number) values.get(parameter)).intValue();
    }

    @SuppressWarnings("unchecked")
    public List<String> list(String parameter) {
        Object value = values.get(parameter);
        return value == null ? List.of() : (List<String>) value;
    }

    @SuppressWarnings("unchecked")
    public Map<String, String> map(String parameter) {
        Object value = values.get(parameter);
        return value == null ? Map.of() : (Map<String, String>) value;
    }

    /** The template file under templates.dir. */
    public String template() {
        String template = text("template");
        return template.isEmpty() ? type.defaultTemplate() : template;
    }

    /**
     * The text with this channel's secret values replaced by {@code <secret>}: an endpoint's error
     * answer may quote its request's URL (a webhook URL holds a token) or headers, and such text is
     * logged and kept with the dead letter. Each secret is looked for in all its forms
     * ({@link SecretForms#of}: escaped, percent-encoded).
     */
    public String withoutSecrets(String text) {
        return SecretForms.without(text, SecretForms.of(secretValues()));
    }

    /**
     * The secret values: each secret parameter; a URL also by its parts ({@link
     * SecretForms#partsOfUrl}); the channel's {@code headers} that carry credentials, and what
     * looks like a token in the others ({@link SecretForms#partsOfHeader}); an email channel's password also as
     * SMTP authentication carries it.
     */
    public List<String> secretValues() {
        List<String> secrets = new ArrayList<>();
        for (Parameter parameter : type.parameters()) {
            if (parameter.kind() == Parameter.Kind.MAP && parameter.name().equals("headers")) {
                map(parameter.name()).forEach((name, value) -> secrets.addAll(SecretForms.partsOfHeader(name, value)));
            } else if (parameter.secret() && !text(parameter.name()).isEmpty()) {
                String value = text(parameter.name());
                secrets.addAll(parameter.kind() == Parameter.Kind.URL ? SecretForms.partsOfUrl(value) : List.of(value));
            }
        }
        if (type == ChannelType.EMAIL && !text("username").isEmpty() && !text("password").isEmpty()) {
            secrets.addAll(SecretForms.smtpAuthForms(text("username"), text("password")));
        }
        return secrets.stream().filter(secret -> secret.length() >= SecretForms.MIN_LENGTH).distinct().toList();
    }

    /**
     * The secret parameters (and credential headers) set to something shorter than {@link
     * SecretForms#MIN_LENGTH}: easy to guess, and left unmasked in the log (masking every short
     * word would garble it). Named for a WARN at start-up, never shown.
     */
    public List<String> secretsTooShortToMask() {
        List<String> tooShort = new ArrayList<>();
        for (Parameter parameter : type.parameters()) {
            if (parameter.kind() == Parameter.Kind.MAP && parameter.name().equals("headers")) {
                map(parameter.name()).forEach((name, value) -> {
                    String[] schemeAndCredentials = value.trim().split("\\s+", 2);
                    String credentials = schemeAndCredentials[schemeAndCredentials.length - 1];
                    if (SecretForms.isCredentialHeader(name, value) && credentials.length() < SecretForms.MIN_LENGTH) {
                        tooShort.add("headers." + name);
                    }
                });
            } else if (parameter.secret() && !text(parameter.name()).isBlank()
                    && text(parameter.name()).trim().length() < SecretForms.MIN_LENGTH) {
                tooShort.add(parameter.name());
            }
        }
        return tooShort;
    }

    @Override
    public String toString() {
        return "channel " + name + " (" + type.id() + ") " + values.entrySet().stream()
                .map(e -> e.getKey() + "=" + (type.parameter(e.getKey()).map(Parameter::secret).orElse(false)
                        ? "<secret>" : e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
