/**
 * The CodeDeploy agent's (v1, Ruby) own texts for an appspec.yml it rejects, byte for byte, so that release refuses
 * a bundle with the very sentence the instance would have logged.
 */
final class AgentText {
    private AgentText() {}

    static final String EMPTY = "The deployment failed because the application specification file was empty. Make sure your AppSpec file defines at minimum the 'version' and 'os' properties.";
    static final String NO_LOCATION = "The deployment failed because the application specification file specifies a script with no location value. Specify the location in the hooks section of the AppSpec file, and then try again.";
    static final String BAD_TIMEOUT = "The deployment failed because an invalid timeout value was provided for a script in the application specification file. Make corrections in the hooks section of the AppSpec file, and then try again.";
    static final String NO_SOURCE = "The deployment failed because the application specification file specifies a destination file, but no source file. Update the files section of the AppSpec file, and then try again.";
    static final String NO_OBJECT = "The deployment failed because a permission listed in the application specification file has no object value. Update the permissions section of the AppSpec file, and then try again.";

    static String badVersion(String v) {
        return "The deployment failed because an invalid version value (" + v + ") was entered in the application specification file. Make sure your AppSpec file specifies \"0.0\" as the version, and then try again.";
    }

    static String badOs(String os) {
        return "The deployment failed because the application specification file specifies an unsupported operating system (" + os + "). Specify either \"linux\" or \"windows\" in the os section of the AppSpec file, and then try again.";
    }

    static String noDestination(String source) {
        return "The deployment failed because the application specification file specifies only a source file (" + source + "). Add the name of the destination file to the files section of the AppSpec file, and then try again.";
    }

    static String badFileExistsBehavior(String v) {
        return "The deployment failed because an invalid file_exists_behavior value (" + v + ") was entered in the application specification file. Make sure your AppSpec file specifies one of DISALLOW,OVERWRITE,RETAIN as the file_exists_behavior, and then try again.";
    }

    static String badType(String t) {
        return "The deployment failed because the application specification filespecifies a permission for an object type not supported for permissions (" + t + "). Update the permissions section of the AppSpec file, and then try again.";
    }

    static String badModeLength(String m) {
        return "The deployment failed because the length of a permissions mode (" + m + ") in the application specification file is invalid. Permissions modes must be between one and four characters long. Update the permissions section of the AppSpec file, and then try again.";
    }

    static String badModeChar(String m, char c) {
        return "The deployment failed because the permissions mode (" + m + ") in the application specification file contains an invalid character (" + c + "). Update the permissions section of the AppSpec file, and then try again.";
    }

    static String badAcl(String ace) {
        return "The deployment failed because of a problem with the acls permission settings in the application specification file. Invalid acl entry (" + ace + ").";
    }
}
