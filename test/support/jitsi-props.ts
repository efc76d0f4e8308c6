import { JitsiProps } from "../../src/modules/jitsi";

/** Props of a Jitsi task as a stack would give them, for the tests of the task and of the JVB daemon beside it. */
export const JITSI_PROPS: JitsiProps = {
  clusterArn: "arn:cluster",
  serviceName: "jitsi-service",
  taskFamily: "jitsi-task",
  imageTag: "stable-9999",
  publicUrl: "https://meet.example.org",
  volumes: [
    { name: "jitsi-data", fileSystemId: "fs-1", rootDirectory: "/prosody/config" },
    { name: "jitsi-images", fileSystemId: "fs-1", rootDirectory: "/jitsi/images" },
  ],
  secretParameters: {
    JICOFO_AUTH_PASSWORD: "/p/JICOFO_AUTH_PASSWORD",
    JVB_AUTH_PASSWORD: "/p/JVB_AUTH_PASSWORD",
    JIGASI_XMPP_PASSWORD: "/p/JIGASI_XMPP_PASSWORD",
    JIBRI_RECORDER_PASSWORD: "/p/JIBRI_RECORDER_PASSWORD",
    JIBRI_XMPP_PASSWORD: "/p/JIBRI_XMPP_PASSWORD",
  },
  executionRoleArn: "arn:role",
  webTargetGroupArn: "arn:tg-web",
};
