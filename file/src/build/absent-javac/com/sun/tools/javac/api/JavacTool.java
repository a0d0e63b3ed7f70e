package com.sun.tools.javac.api;

/**
 * Stand-in for javac's entry point, defined by Hearth (io.hearth.file.AbsentJavac) only in a JVM
 * that has no module jdk.compiler. Chronicle's CompilerUtils looks this class up when it
 * initialises and fails without it, although Hearth ships the one class it would compile. A null
 * compiler is what CompilerUtils holds when javac is absent; it is never asked to compile.
 *
 * <p>Compiled at build time (file/pom.xml) with {@code --limit-modules java.base}, into a resource
 * of Hearth's jar rather than a class on its class path, so a JVM that has javac never sees it.
 */
public final class JavacTool {
    private JavacTool() {
    }

    public static Object create() {
        return null;
    }
}
