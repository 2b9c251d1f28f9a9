// Testing helpers published as "@tg/tensor/testing".

export {
  gradcheck,
  type GradcheckElement,
  type GradcheckOptions,
  type GradcheckReport,
} from "./gradcheck.js";
