package io.hearth.file;

import io.hearth.HearthException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Lets Chronicle Map open a store in a JVM without module jdk.compiler (a jlinked runtime, or
 * {@code --limit-modules}). Chronicle's CompilerUtils, which every map touches, looks up javac's
 * {@code com.sun.tools.javac.api.JavacTool} when it initialises and fails without it, although the
 * one class Chronicle would compile is generated at build time and shipped in Hearth's jar. In such
 * a JVM, and only there, this defines a stand-in of that name (file/src/build/absent-javac) in the
 * class loader that loads CompilerUtils; its compiler is null and is never asked to compile.
 */
final class AbsentJavac {
    private static final String JAVAC_TOOL = "com.sun.tools.javac.api.JavacTool";
    private static final String STAND_IN = "absent-javac/com/sun/tools/javac/api/JavacTool.class";

    private AbsentJavac() {
    }

    /** Defines the stand-in when this JVM has no jdk.compiler and nothing of that name is loadable. */
    static synchronized void standInWhereMissing() {
        if (ModuleLayer.boot().findModule("jdk.compiler").isPresent()) {
            return;
        }
        ClassLoader loader = compilerUtilsLoader();
        try {
            Class.forName(JAVAC_TOOL, false, loader);
            return;
        } catch (ClassNotFoundException absent) {
            // define it below
        }
        byte[] bytes = standInBytes();
        try {
            // Needs --add-opens java.base/java.lang, one of the options the file store already requires.
            Method define = ClassLoader.class.getDeclaredMethod("defineClass", String.class, byte[].class, int.class, int.class);
            define.setAccessible(true);
            define.invoke(loader, JAVAC_TOOL, bytes, 0, bytes.length);
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException | RuntimeException e) {
            Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
            throw new HearthException("this JVM has no module jdk.compiler and Hearth could not stand in for it (" + cause
                    + "); add the module (jlink --add-modules jdk.compiler); nothing was opened or created", cause);
        }
    }

    private static ClassLoader compilerUtilsLoader() {
        try {
            ClassLoader loader = Class.forName("net.openhft.compiler.CompilerUtils", false, AbsentJavac.class.getClassLoader())
                    .getClassLoader();
            return loader != null ? loader : ClassLoader.getSystemClassLoader();
        } catch (ClassNotFoundException e) {
            throw new HearthException("Chronicle's compiler library (net.openhft:compiler) is not on the class path: " + e.getMessage(), e);
        }
    }

    private static byte[] standInBytes() {
        try (InputStream in = AbsentJavac.class.getResourceAsStream(STAND_IN)) {
            if (in == null) {
                throw new HearthException("resource " + STAND_IN + " is missing from hearth-file's jar; rebuild it with mvn package");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new HearthException("could not read resource " + STAND_IN + " from hearth-file's jar: " + e.getMessage(), e);
        }
    }
}
