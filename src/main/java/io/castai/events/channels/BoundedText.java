package io.castai.events.channels;

import java.io.IOException;
import java.io.Writer;
import java.util.function.IntSupplier;

/**
 * A template's output, refused once it grows past a length (so a runaway template cannot fill the
 * heap): a first bound, then, asked for only when the text reaches it, a larger one (what a large
 * event may legitimately need).
 */
final class BoundedText extends Writer {
    /** The output went past its bound; what was written so far is dropped. */
    static final class TooLong extends IOException {
        private final int maxChars;

        TooLong(int maxChars) {
            super("longer than " + maxChars + " characters");
            this.maxChars = maxChars;
        }

        int maxChars() {
            return maxChars;
        }
    }

    private final StringBuilder text = new StringBuilder();
    private int maxChars;
    private IntSupplier largerBound;

    BoundedText(int maxChars, IntSupplier largerBound) {
        this.maxChars = maxChars;
        this.largerBound = largerBound;
    }

    @Override
    public void write(char[] chars, int offset, int length) throws IOException {
        makeRoom(length);
        text.append(chars, offset, length);
    }

    @Override
    public void write(String string, int offset, int length) throws IOException {
        makeRoom(length);
        text.append(string, offset, offset + length);
    }

    private void makeRoom(int length) throws TooLong {
        if (text.length() + length <= maxChars) {
            return;
        }
        if (largerBound != null) {
            maxChars = Math.max(maxChars, largerBound.getAsInt());
            largerBound = null;
            if (text.length() + length <= maxChars) {
                return;
            }
        }
        text.setLength(0);
        text.trimToSize();
        throw new TooLong(maxChars);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
