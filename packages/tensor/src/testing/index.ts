// Testing helpers published as "@tg/tensor/testing".

export { gradcheck, type GradcheckOptions, type GradcheckReport } from "./gradcheck.js";
